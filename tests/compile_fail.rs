//! The compile-time guarantees of DESIGN.md §2, proved by code that must not compile.

#[test]
fn typestate_guarantees() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
