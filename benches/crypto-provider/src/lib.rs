//! Empty: the benchmark lives in benches/verify.rs.
