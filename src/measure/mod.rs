//! The step-comparison tool's parts: a load generator, a resource sampler, and the table and
//! chart it prints. Chapter "How to measure" explains each.
