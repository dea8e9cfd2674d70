//! The diagnostics the checker reports.

use falco_diagnostics::{Code, Diagnostic, Fix, Severity};
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
    /// The did-you-mean that fixes it, if there is one.
    pub suggestion: Option<Suggestion>,
}

/// A replacement that fixes a type error: `text` in place of `written`, which is at
/// `span` of the parsed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// Where the misspelt text is, in the parsed text.
    pub span: Span,
    /// The text written there.
    pub written: String,
    /// What replaces it.
    pub text: String,
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
            suggestion: None,
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

    /// Suggests `near` (if any) in place of `written`, the text at `span`: a `did you
    /// mean` help and the fix that makes the replacement.
    pub fn with_did_you_mean(mut self, span: Span, written: &str, near: Option<&str>) -> TypeError {
        if let Some(near) = near {
            self.help = Some(format!("did you mean `{near}`?"));
            self.suggestion = Some(Suggestion {
                span,
                written: written.to_owned(),
                text: near.to_owned(),
            });
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

    /// Builds the `Diagnostic` at `span` of the file, with `to_file` mapping spans of
    /// the parsed text to the file (e.g. `MappedText::to_file`): the suggestion's fix
    /// is kept when its span maps.
    pub fn to_diagnostic(
        &self,
        span: FileSpan,
        to_file: impl Fn(Span) -> Option<FileSpan>,
    ) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(self.code, span, self.message.clone());
        if let Some(label) = &self.label {
            diagnostic = diagnostic.with_label(label.clone());
        }
        diagnostic = diagnostic.with_optional_help(self.help.clone());
        for note in &self.notes {
            diagnostic = diagnostic.with_note(note.clone());
        }
        let fix = self.suggestion.as_ref().and_then(|suggestion| {
            let at = to_file(suggestion.span)?;
            Some(Fix::replace(
                at,
                &suggestion.written,
                suggestion.text.clone(),
            ))
        });
        if let Some(fix) = fix {
            diagnostic = diagnostic.with_fix(fix);
        }
        diagnostic
    }
}
