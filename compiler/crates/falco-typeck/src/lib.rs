//! Typechecking (implementation pending).
