//! Lowering typed rules into bundles (in progress).
