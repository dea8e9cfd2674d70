//! `falco-rulec lint`.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, LintArgs};
use crate::render::{self, Format};
use falco_analysis::{Analysis, analyze_with, plugin_schema};
use std::io::IsTerminal;

pub(super) fn run(args: &LintArgs) -> u8 {
    let files = match super::gather_inputs(&args.paths, args.config.as_deref()) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let settings = match super::suppressions::settings(&args.suppressions) {
        Ok(settings) => settings,
        Err(code) => return code,
    };
    let schemas: Vec<_> = settings
        .plugin_schemas
        .iter()
        .chain(&args.plugin_schema)
        .cloned()
        .collect();
    let schema = match plugin_schema::read(&schemas) {
        Ok(schema) => schema,
        Err(error) => {
            eprintln!("error: cannot use plugin schema {error}");
            return EXIT_USAGE;
        }
    };
    let mut analysis = analyze_with(files, schema);
    let applied = settings.apply(&mut analysis);
    if let (true, Some(path)) = (
        args.suppressions.write_baseline,
        args.suppressions.baseline.as_deref(),
    ) {
        match super::suppressions::write_baseline(&analysis, path) {
            Ok(baseline) => {
                baseline.accept(&mut analysis);
            }
            Err(code) => return code,
        }
    } else if applied.baselined > 0 {
        eprintln!(
            "note: {} findings accepted by the baseline",
            applied.baselined
        );
    }
    let format = Format::from(args.format);
    let color = args.color.resolve(
        std::env::var_os("NO_COLOR").as_deref(),
        std::io::stdout().is_terminal(),
    );
    let text = render::render(&analysis, format, color);
    if let Err(code) = super::write_stdout(&text) {
        return code;
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
