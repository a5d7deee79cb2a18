//! flowsim: a discrete-event Monte Carlo simulator of value streams.
//!
//! A value stream is every step a piece of work passes through, from a request to a customer
//! benefiting. Describe one as a [`scenario::Scenario`] (usually parsed from a TOML file, see
//! docs/scenario-format.md), run its replications with [`runner::simulate`], and read the
//! [`metrics::Summary`]: lead-time percentiles, flow efficiency, throughput, WIP and, per stage,
//! utilization, wait and work, and the bottleneck. [`report`] turns results into files and
//! charts; [`shard`] splits a run over many machines and merges it back to the same bits; [`cli`]
//! is the `flowsim` command. ARCHITECTURE.md maps the modules.
//!
//! ```
//! use flowsim::runner::{simulate, RunOptions};
//! use flowsim::scenario::Scenario;
//!
//! let scenario = Scenario::parse(
//!     r#"
//!     name = "Review queue"
//!     [simulation]
//!     runs = 200
//!     items = 300
//!     [arrivals]
//!     rate = 0.8
//!     [[stages]]
//!     name = "Review"
//!     workers = 1
//!     duration = { dist = "exponential", mean = 1 }
//!     "#,
//!     "review.toml",
//! )?;
//! let result = simulate(&scenario, RunOptions::default(), &|_done| {})?;
//! let lead = result.summary.lead_time.expect("items were measured");
//! // An M/M/1 queue at 80% load: the mean time in the system is 5 (a little less in runs that
//! // start empty).
//! assert!(lead.mean > 3.5 && lead.mean < 5.5);
//! assert_eq!(result.summary.bottleneck.as_deref(), Some("Review"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod backtest;
pub mod calendar;
pub mod calibrate;
pub mod cli;
pub mod dist;
pub mod engine;
pub mod forecast;
pub mod history;
pub mod metrics;
pub mod numbers;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod shard;
pub mod sheet;
mod vector;
pub mod whatif;
