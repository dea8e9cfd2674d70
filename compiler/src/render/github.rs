//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per
//! diagnostic, which GitHub shows as an annotation on the file.

use super::locate;
use falco_analysis::Analysis;
use falco_diagnostics::{Diagnostic, Severity};

/// Renders one command line per diagnostic.
pub fn render(analysis: &Analysis) -> String {
    analysis
        .diagnostics
        .iter()
        .map(|diagnostic| command(analysis, diagnostic) + "\n")
        .collect()
}

/// `::error file=F,line=L,col=C,endLine=L,endColumn=C,title=CODE name::message`.
fn command(analysis: &Analysis, diagnostic: &Diagnostic) -> String {
    let location = locate(analysis, diagnostic.primary.span);
    let name = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let title = format!("{} {}", diagnostic.code.as_str(), diagnostic.code.name());
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    for note in &diagnostic.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    format!(
        "::{name} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_property(location.path),
        location.start.line,
        location.start.column,
        location.end.line,
        location.end.column,
        escape_property(&title),
        escape_data(&message),
    )
}

/// Escapes a command's message: `%`, CR and LF.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value: as [`escape_data`], plus `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
