//! Compile-fail and compile-pass tests of `#[model]`.
//!
//! Every file under `ui/fail/` holds one mistake (named after it) and its expected
//! diagnostics in the `.stderr` next to it; every file under `ui/pass/` must build and run.
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p doppl-ui-tests`,
//! then read them.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
