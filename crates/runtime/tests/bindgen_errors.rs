//! Bad `bindgen!` input is a compile error naming what is wrong and where.

#[test]
fn bad_macro_input_fails_to_compile_with_a_clear_error() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
