//! What a check runs against: the schema, the rule's source and options.

use crate::resolver::FieldResolver;

/// The environment of one check.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The field schema (a `falco_schema::Schema`, or a wrapper adding fields).
    pub resolver: &'a dyn FieldResolver,
    /// The rule's event source, e.g. `syscall`, `k8s_audit`, `aws_cloudtrail`.
    pub source: &'a str,
    /// Optional checks.
    pub options: Options,
}

impl<'a> Context<'a> {
    /// A context with default options.
    pub fn new(resolver: &'a dyn FieldResolver, source: &'a str) -> Context<'a> {
        Context {
            resolver,
            source,
            options: Options::default(),
        }
    }

    /// Replaces the options.
    pub fn with_options(mut self, options: Options) -> Context<'a> {
        self.options = options;
        self
    }
}

/// Optional checks; all on by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Warn when a constant value names a field or a transformer (W404).
    pub value_hints: bool,
    /// Warn when a `regex` could be a plain string operator (W405).
    pub regex_hints: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            value_hints: true,
            regex_hints: true,
        }
    }
}
