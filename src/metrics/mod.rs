//! Measurement: what the engine reports, turned into the numbers a user reads. Pure computation,
//! no I/O.
//!
//! - [`charts`]: the stream over time and one representative replication, for the charts;
//! - [`compare`]: paired differences between runs with common random numbers;
//! - [`events`]: the history of one replication, item by item, for the work-item history CSV;
//! - [`collect`]: an engine observer that sums one replication's measured items;
//! - [`histogram`]: mergeable histograms for percentiles over millions of items;
//! - [`stats`]: means and ratios across replications with standard errors;
//! - [`summary`]: folds replications into the [`Summary`] written as `summary.json`.

pub mod charts;
pub mod collect;
pub mod compare;
pub mod events;
pub mod histogram;
pub mod stats;
pub mod summary;

pub use collect::{Collector, Histograms, RepTotals};
pub use histogram::Histogram;
pub use summary::{Accumulator, Summary};
