//! The diagnostics the checker reports.

use falco_diagnostics::{Code, Diagnostic, Severity};
use falco_span::{FileSpan, Span};

/// A type error or warning in a condition or an output.
///
/// `span` is a byte range into the condition (or output) TEXT that was parsed; the
/// caller maps it to the file with its `falco_span::MappedText`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeError {
    /// The diagnostic code (E4xx, W4xx, E502).
    pub code: Code,
    /// Lowercase message, e.g. "unknown field `proc.nam`".
    pub message: String,
    /// Where, in the parsed text.
    pub span: Span,
    /// Optional label for the primary span.
    pub label: Option<String>,
    /// Optional help line (did-you-mean, how to fix).
    pub help: Option<String>,
    /// Extra notes.
    pub notes: Vec<String>,
}

impl TypeError {
    /// A new diagnostic with no label, help or notes.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> TypeError {
        TypeError {
            code,
            message: message.into(),
            span,
            label: None,
            help: None,
            notes: Vec::new(),
        }
    }

    /// Sets the label.
    pub fn with_label(mut self, label: impl Into<String>) -> TypeError {
        self.label = Some(label.into());
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> TypeError {
        self.help = Some(help.into());
        self
    }

    /// Sets the help line if there is one.
    pub fn with_optional_help(mut self, help: Option<String>) -> TypeError {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> TypeError {
        self.notes.push(note.into());
        self
    }

    /// The code's default severity.
    pub fn severity(&self) -> Severity {
        self.code.default_severity()
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }

    /// Builds the `Diagnostic`, given where `span` lies in the file (the caller maps
    /// it, e.g. with `MappedText::to_file`).
    pub fn to_diagnostic(&self, span: FileSpan) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(self.code, span, self.message.clone());
        if let Some(label) = &self.label {
            diagnostic = diagnostic.with_label(label.clone());
        }
        diagnostic = diagnostic.with_optional_help(self.help.clone());
        for note in &self.notes {
            diagnostic = diagnostic.with_note(note.clone());
        }
        diagnostic
    }
}
