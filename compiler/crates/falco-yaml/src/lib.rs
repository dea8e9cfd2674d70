//! A YAML reader that keeps spans (implementation pending).
