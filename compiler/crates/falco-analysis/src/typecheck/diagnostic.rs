//! From type errors (spans into a condition's or output's own text) to diagnostics
//! (spans into files).

use falco_diagnostics::{Code, Diagnostic};
use falco_resolve::Condition;
use falco_span::FileSpan;
use falco_typeck::TypeError;

/// Whether Falco would downgrade this error under `skip-if-unknown-filter`.
pub(super) fn is_unknown_filter(error: &TypeError) -> bool {
    matches!(
        error.code,
        Code::E401 | Code::E402 | Code::E405 | Code::E502
    )
}

/// Where `error` is in the files, or `fallback` when its span does not map.
pub(super) fn to_file(condition: &Condition, error: &TypeError, fallback: FileSpan) -> FileSpan {
    condition.to_file(error.span).unwrap_or(fallback)
}

/// The diagnostic of an error in `condition`.
pub(super) fn to_diagnostic(
    error: &TypeError,
    condition: &Condition,
    fallback: FileSpan,
) -> Diagnostic {
    type_error_diagnostic(error, to_file(condition, error, fallback))
}

/// The diagnostic of `error`, at `span`.
pub(super) fn type_error_diagnostic(error: &TypeError, span: FileSpan) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(error.code, span, error.message.clone());
    if let Some(label) = &error.label {
        diagnostic = diagnostic.with_label(label.clone());
    }
    diagnostic = diagnostic.with_optional_help(error.help.clone());
    for note in &error.notes {
        diagnostic = diagnostic.with_note(note.clone());
    }
    diagnostic
}
