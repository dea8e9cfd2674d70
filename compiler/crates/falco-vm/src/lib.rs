//! The rule VM (in progress).
