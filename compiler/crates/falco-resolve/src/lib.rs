//! Load semantics (implementation pending).
