//! `falco-rulec explain CODE` and `explain --list`.

use super::{EXIT_OK, EXIT_USAGE, ExplainArgs};
use falco_diagnostics::{Code, did_you_mean};

pub(super) fn run(args: &ExplainArgs) -> u8 {
    if args.list {
        return print(&list());
    }
    let Some(text) = &args.code else {
        return EXIT_USAGE;
    };
    match explain(text) {
        Ok(doc) => print(&doc),
        Err(message) => {
            eprintln!("{message}");
            EXIT_USAGE
        }
    }
}

/// The documentation of the code named by `text`, or an error message with a
/// did-you-mean.
pub fn explain(text: &str) -> Result<String, String> {
    let code = Code::parse(text.trim()).ok_or_else(|| unknown_code(text))?;
    Ok(match code.doc() {
        Some(doc) => doc.to_owned(),
        None => format!(
            "# {}: {}\n\n{}\n\n(No documentation has been written for this code yet.)\n",
            code.as_str(),
            code.name(),
            code.summary()
        ),
    })
}

fn unknown_code(text: &str) -> String {
    let lower = text.trim().to_ascii_lowercase();
    let upper = text.trim().to_ascii_uppercase();
    let suggestion = did_you_mean(&upper, Code::ALL.iter().map(|code| code.as_str()))
        .or_else(|| did_you_mean(&lower, Code::ALL.iter().map(|code| code.name())));
    let mut message = format!("error: unknown diagnostic code `{text}`");
    if let Some(suggestion) = suggestion {
        message.push_str(&format!("\n  help: did you mean `{suggestion}`?"));
    }
    message.push_str("\n  note: `falco-rulec explain --list` lists every code");
    message
}

/// One line per code: code, name, severity, summary.
pub fn list() -> String {
    let width = Code::ALL
        .iter()
        .map(|code| code.name().len())
        .max()
        .unwrap_or(0);
    Code::ALL
        .iter()
        .map(|code| {
            format!(
                "{}  {:width$}  {:7}  {}\n",
                code.as_str(),
                code.name(),
                code.default_severity().as_str(),
                code.summary(),
            )
        })
        .collect()
}

fn print(text: &str) -> u8 {
    match super::write_stdout(text) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}
