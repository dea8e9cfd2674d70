//! Conversions between the compiler's byte spans and LSP's UTF-16 positions, and
//! from compiler diagnostics to LSP diagnostics. The only module that maps
//! positions; handlers speak byte offsets.

use falco_analysis::SourceFile;
use falco_diagnostics::Severity;
use falco_span::{FileSpan, Span};
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, Uri,
};

/// The LSP range of a byte span of `file`.
pub fn to_lsp_range(file: &SourceFile, span: Span) -> Range {
    Range {
        start: to_lsp_position(file, span.start),
        end: to_lsp_position(file, span.end),
    }
}

/// The LSP position of a byte offset of `file`.
pub fn to_lsp_position(file: &SourceFile, offset: u32) -> Position {
    let (line, character) = file.line_index.utf16_position(&file.text, offset);
    Position { line, character }
}

/// The byte offset of an LSP position in `file` (clamped to the text).
pub fn from_lsp_position(file: &SourceFile, position: Position) -> u32 {
    file.line_index
        .offset_of_utf16(&file.text, position.line, position.character)
}

/// The byte offset of an LSP position in a text that has no line index (an open
/// document being edited: one lookup does not index the whole text).
pub fn offset_in_text(text: &str, position: Position) -> usize {
    falco_span::offset_of_utf16(text, position.line, position.character) as usize
}

/// The byte span of an LSP range in `file`.
pub fn from_lsp_range(file: &SourceFile, range: Range) -> Span {
    Span::new(
        from_lsp_position(file, range.start),
        from_lsp_position(file, range.end),
    )
}

/// Resolves file ids to their files and URIs.
pub trait Files {
    /// The file with this id.
    fn file(&self, span: FileSpan) -> Option<(&SourceFile, &Uri)>;
}

/// The LSP location of a file span.
pub fn to_lsp_location(files: &impl Files, span: FileSpan) -> Option<Location> {
    let (file, uri) = files.file(span)?;
    Some(Location {
        uri: uri.clone(),
        range: to_lsp_range(file, span.span),
    })
}

/// An LSP diagnostic for a compiler diagnostic whose primary span is in `file`.
/// The help and notes follow the message on their own lines; related labels in
/// any file become related information.
pub fn to_lsp_diagnostic(
    files: &impl Files,
    file: &SourceFile,
    diagnostic: &falco_diagnostics::Diagnostic,
) -> Diagnostic {
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    for note in &diagnostic.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    let mut related: Vec<DiagnosticRelatedInformation> = Vec::new();
    if !diagnostic.primary.message.is_empty()
        && let Some(location) = to_lsp_location(files, diagnostic.primary.span)
    {
        related.push(DiagnosticRelatedInformation {
            location,
            message: diagnostic.primary.message.clone(),
        });
    }
    related.extend(diagnostic.related.iter().filter_map(|label| {
        Some(DiagnosticRelatedInformation {
            location: to_lsp_location(files, label.span)?,
            message: label.message.clone(),
        })
    }));
    let code = diagnostic.code;
    Diagnostic {
        range: to_lsp_range(file, diagnostic.primary.span.span),
        severity: Some(to_lsp_severity(diagnostic.severity)),
        code: Some(NumberOrString::String(code.as_str().to_owned())),
        code_description: crate::code_docs::href(code).map(|href| CodeDescription { href }),
        source: Some("falco-rulec".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

fn to_lsp_severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}
