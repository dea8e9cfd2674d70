//! The diagnostic model.

use crate::Code;
use falco_span::FileSpan;
use std::fmt;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The ruleset would not load in Falco.
    Error,
    /// Falco loads it but warns (or we know it is probably a mistake).
    Warning,
    /// Worth knowing; never fails a run.
    Info,
}

impl Severity {
    /// Lowercase name, as the JSON contract spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A span with a short message, shown under the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: FileSpan,
    /// What is there (may be empty for the primary label).
    pub message: String,
}

/// Text that replaces a span of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    /// What is replaced.
    pub span: FileSpan,
    /// The text the span holds when the fix is made: an editor applies the fix only
    /// while the file still holds it there (a quoted or escaped value maps to other
    /// text, and such a fix is not offered).
    pub replaced: String,
    /// The new text.
    pub text: String,
}

/// A change that fixes a diagnostic, made where the diagnostic is made (editors offer
/// it as a quick fix), so it never depends on how the help line is worded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What it does, as an editor lists it ("Replace `proc.nmae` with `proc.name`").
    pub title: String,
    /// The replacements; their spans do not overlap.
    pub edits: Vec<Replacement>,
}

impl Fix {
    /// Replaces the text `written` at `span` with `text`.
    pub fn replace(span: FileSpan, written: &str, text: impl Into<String>) -> Fix {
        let text = text.into();
        Fix {
            title: format!("Replace `{written}` with `{text}`"),
            edits: vec![Replacement {
                span,
                replaced: written.to_owned(),
                text,
            }],
        }
    }
}

/// One finding: a code, a message, a primary span, optional related spans, an
/// optional `help:` and notes, and the fixes an editor can apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code from the registry.
    pub code: Code,
    /// Severity; defaults to the code's.
    pub severity: Severity,
    /// Lowercase, no trailing period, code in backticks.
    pub message: String,
    /// The smallest span that shows the problem, with an optional label.
    pub primary: Label,
    /// Secondary spans: a macro's definition, the item an override applies to, the
    /// first definition of a duplicate.
    pub related: Vec<Label>,
    /// How to fix it, e.g. a did-you-mean.
    pub help: Option<String>,
    /// Extra facts.
    pub notes: Vec<String>,
    /// Changes that fix it.
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, span: FileSpan, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            primary: Label {
                span,
                message: String::new(),
            },
            related: Vec::new(),
            help: None,
            notes: Vec::new(),
            fixes: Vec::new(),
        }
    }

    /// Sets the primary label's text.
    pub fn with_label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary span.
    pub fn with_related(mut self, span: FileSpan, message: impl Into<String>) -> Diagnostic {
        self.related.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the `help:` line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Sets the `help:` line if there is one.
    pub fn with_optional_help(mut self, help: Option<String>) -> Diagnostic {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Suggests `near` for the text `written` at the primary span: a `did you mean`
    /// help, and the fix that makes the replacement.
    pub fn with_did_you_mean(self, written: &str, near: &str) -> Diagnostic {
        let fix = Fix::replace(self.primary.span, written, near);
        self.with_help(format!("did you mean `{near}`?"))
            .with_fix(fix)
    }

    /// Adds a fix.
    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fixes.push(fix);
        self
    }

    /// Overrides the severity.
    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
