//! What the types forbid: each file under `tests/ui/` must fail to compile
//! with the error recorded beside it (`TRYBUILD=overwrite` to re-record).

#[test]
fn misuse_does_not_compile() {
    trybuild::TestCases::new().compile_fail("ui/*.rs");
}
