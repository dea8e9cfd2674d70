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
    error.to_diagnostic(to_file(condition, error, fallback), |span| {
        condition.to_file(span)
    })
}
