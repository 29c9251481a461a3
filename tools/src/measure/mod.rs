//! The step-comparison tool's parts: load generators, a resource sampler, and the table and
//! chart it prints. The book's appendix "How to measure" explains each; `examples/compare.rs`
//! puts them together.
//!
//! | module | what |
//! |---|---|
//! | [`loadgen`] | closed-loop HTTP load over blocking sockets, latencies in a histogram |
//! | [`wrk`] | the same load from wrk, the field's generator, when it is installed |
//! | [`generator`] | which of the two runs, and what a run cost the client and the server |
//! | [`child`] | a chapter's server as a child process on `127.0.0.1:0` |
//! | [`procfs`] | a process's memory, threads, context switches and CPU time, and the machine's facts, from `/proc` |
//! | [`table`] | the results as a Markdown table, with when and where they were measured |
//! | [`chart`] | the results as an SVG bar chart |
// > ch11
//! | [`peers`] | weft against its peers: ratios within a run, a chart per workload |
// < ch11

pub mod chart;
pub mod child;
pub mod generator;
pub mod loadgen;
pub mod peers; // > ch11
pub mod procfs;
pub mod table;
pub mod wrk;
