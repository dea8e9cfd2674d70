//! `falco-rulec lint`.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, LintArgs, inputs};
use crate::analysis::{Analysis, analyze};
use crate::render::{self, Format};
use std::io::{IsTerminal, Write};

pub(super) fn run(args: &LintArgs) -> u8 {
    let files = match inputs::gather(&args.paths, args.config.as_deref()) {
        Ok(files) => files,
        Err(errors) => {
            for error in errors {
                eprintln!("error: {error}");
            }
            return EXIT_USAGE;
        }
    };
    let analysis = analyze(files);
    let format = Format::from(args.format);
    let color = args.color.resolve(
        std::env::var_os("NO_COLOR").as_deref(),
        std::io::stdout().is_terminal(),
    );
    let text = render::render(&analysis, format, color);
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the output: {error}");
        }
        return EXIT_USAGE;
    }
    let code = exit_code(&analysis, args.deny_warnings);
    // The process ends next: freeing the syntax trees node by node would only cost
    // time (about 5% of a lint), so the memory goes back with the process.
    std::mem::forget(analysis);
    code
}

/// 1 with errors (or warnings when denied), else 0.
pub fn exit_code(analysis: &Analysis, deny_warnings: bool) -> u8 {
    if analysis.error_count() > 0 || (deny_warnings && analysis.warning_count() > 0) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
