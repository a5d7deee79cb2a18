//! All integration tests in one binary (faster to build and run than one binary per file).
//! Statistical tests compare Monte Carlo estimates with exact queueing-theory answers; each says
//! how its tolerance follows from the Monte Carlo standard error.

mod bad_input;
mod calibrate;
mod chart_data;
mod cli;
mod common;
mod events;
mod forecast;
mod forecast_history;
mod map;
mod report;
mod scenarios;
mod shard;
mod solvers;
mod theory;
mod whatif;
mod whatif_report;
