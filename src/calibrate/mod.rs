//! Calibrate a scenario from a history: observed durations from a work-item history turned into
//! the scenario's duration distributions. [`fit`] fits the candidate families by maximum
//! likelihood, ranks them by AIC, checks the best with a Kolmogorov-Smirnov test and falls back to
//! resampling the history itself (`empirical`) when no family fits.

pub mod build;
pub mod fit;
