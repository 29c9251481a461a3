//! The mistakes the book shows: programs a reader might write at some point of the book,
//! each in a file of its own under `tests/compile_fail/`, with the compiler's message beside
//! it in a `.stderr` file. The chapters include both, and this test checks that each file
//! still fails to compile, with exactly that message.
//!
//! When a message changes (a newer compiler, a changed bound in weft), regenerate the
//! `.stderr` files with `TRYBUILD=overwrite cargo test --test compile_fail`, read the
//! difference, and check that the chapter's prose still fits it.

#[test]
fn the_book_s_mistakes_fail_with_the_messages_it_shows() {
    trybuild::TestCases::new().compile_fail("tests/compile_fail/*.rs");
}
