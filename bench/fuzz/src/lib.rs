//! Nothing here: the fuzzing lives in `tests/parsers.rs`, one property per
//! parser of outside input, each saying "any input gives a value or an
//! error, never a panic". proptest runs 256 cases each by default (CI);
//! `cargo xtask fuzz` sets `PROPTEST_CASES` far higher.

#![deny(missing_docs)]
