//! The pieces every peer server shares: its command-line flags and the small app they all serve.
//!
//! Each binary in `src/bin/` is one peer (tiny_http, actix-web, axum, may_minihttp, the Rust
//! Book's chapter-20 design). They serve the same three routes with the same bytes, take the
//! same flags and announce themselves the same way, so that weft's comparison tool can start any
//! of them like one of weft's own examples: `--addr 127.0.0.1:0`, then read `listening on ADDR`.
#![deny(missing_docs)]

pub mod app;
pub mod args;
