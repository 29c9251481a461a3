//! # weft-tools
//!
//! Everything the weft book needs beside the framework itself, kept out of the `weft` crate
//! so that a service built on weft compiles none of it:
//!
//! | module | what | used by |
//! |---|---|---|
//! | [`cli`] | the flags every server in the book takes, logging, the `listening on` line | every example, the showcase |
// > ch02
//! | [`naive`] | chapter 2's deliberately naive connection handler | the examples of chapters 2–4 |
//! | [`measure`] | the load generator, `/proc` sampling, tables and charts | the `compare` and `peers` tools |
// < ch02
// > ch05
//! | [`by_hand`] | a read, a response and a close written by hand around the parser | chapter 5's `ch05_head` and `ch05_body` |
// < ch05
// > ch07
//! | [`showcase`] | the showcase application | `cargo run --release`, chapter 7's and 12's examples |
// < ch07
// > ch13
//! | [`fleet`] | several server processes on one port, restarted under load | chapter 13's example and tests |
// < ch13
// > ch07
//!
//! The showcase's binary is this crate's `weft` (`tools/src/main.rs`), which `cargo run
//! --release` at the repository's root runs.
// < ch07
#![deny(missing_docs)]

pub mod by_hand; // > ch05
pub mod cli;
pub mod fleet; // > ch13
pub mod measure; // > ch02
pub mod naive; // > ch02
pub mod showcase; // > ch07
