pub mod dist;
pub mod engine;
pub mod metrics;
pub mod runner;
pub mod scenario;
