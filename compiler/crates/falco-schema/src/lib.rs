//! Field schemas (implementation pending).
