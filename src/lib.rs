pub mod cli;
pub mod dist;
pub mod engine;
pub mod metrics;
pub mod report;
pub mod runner;
pub mod scenario;
