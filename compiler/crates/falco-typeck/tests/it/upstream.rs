//! Upstream rulesets typecheck cleanly: Falco loads them, so every error here would
//! be a false positive. Loads each file with the loader and resolver (lists
//! substituted, macros bound), checks every macro and rule condition and every
//! output, and prints what it finds.

use std::collections::HashMap;
use std::path::PathBuf;

use falco_diagnostics::Code;
use falco_schema::Schema;
use falco_span::FileId;
use falco_typeck::{
    Context, EventTypeSet, TypeError, TypedExpr, check_condition, check_output, event_types,
};

struct Report {
    checked: usize,
    errors: Vec<String>,
    warnings: Vec<String>,
    too_many_types: Vec<String>,
}

fn check_file(relative: &str) -> Report {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared/corpus")
        .join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let loaded = falco_loader::load_file(FileId(0), &text);
    let (ruleset, _) = falco_resolve::resolve(
        std::slice::from_ref(&loaded),
        &falco_resolve::Options::default(),
    );
    let schema = Schema::get();
    let mut report = Report {
        checked: 0,
        errors: Vec::new(),
        warnings: Vec::new(),
        too_many_types: Vec::new(),
    };
    let mut record = |what: &str, diagnostics: Vec<TypeError>, text: &str| {
        for d in diagnostics {
            let at = text.get(d.span.range()).unwrap_or("?");
            let line = format!("  {what}: {} {} [at `{at}`]", d.code.as_str(), d.message);
            if d.is_error() {
                report.errors.push(line)
            } else {
                report.warnings.push(line)
            }
        }
    };

    // Macros are checked with the source of the first rule that uses them; every
    // upstream file has a single source.
    let source = ruleset
        .rules
        .first()
        .map_or("syscall", |rule| rule.source.as_str())
        .to_owned();
    let ctx = Context::new(schema, &source);
    let mut checked = 0;
    let mut typed_macros: HashMap<String, TypedExpr> = HashMap::new();
    for item in &ruleset.macros {
        if item.condition.has_syntax_errors {
            continue;
        }
        let (typed, diagnostics) = check_condition(&item.condition.ast, &ctx);
        checked += 1;
        record(
            &format!("macro {}", item.name),
            diagnostics,
            &item.condition.expanded.text,
        );
        typed_macros.insert(item.name.clone(), typed);
    }
    let universe = schema.event_type_names().count();
    for rule in &ruleset.rules {
        if rule.unknown_source || rule.condition.has_syntax_errors {
            continue;
        }
        let ctx = Context::new(schema, &rule.source);
        let (typed, diagnostics) = check_condition(&rule.condition.ast, &ctx);
        checked += 1;
        record(
            &format!("rule {}", rule.name),
            diagnostics,
            &rule.condition.expanded.text,
        );
        let (_, diagnostics) = check_output(&rule.output_ast, &ctx);
        record(
            &format!("output of {}", rule.name),
            diagnostics,
            &rule.output.text,
        );
        if rule.source == "syscall" && rule.warn_evttypes {
            let set = event_types(&typed, &|name| typed_macros.get(name), schema, "syscall");
            if set != EventTypeSet::None && set.count(universe) > 100 {
                report
                    .too_many_types
                    .push(format!("  rule {}: {set:?}", rule.name));
            }
        }
    }
    report.checked = checked;
    report
}

/// Checks `files`, prints what it finds and asserts that none has a type error (Falco
/// loads them all); returns the reports.
fn run(files: &[&str]) -> Vec<Report> {
    let mut reports = Vec::new();
    for file in files {
        let report = check_file(file);
        println!(
            "{file}: {} conditions, {} errors, {} warnings, {} rules matching over 100 event types",
            report.checked,
            report.errors.len(),
            report.warnings.len(),
            report.too_many_types.len()
        );
        for line in report
            .errors
            .iter()
            .chain(&report.warnings)
            .chain(&report.too_many_types)
        {
            println!("{line}");
        }
        reports.push(report);
    }
    let errors: Vec<&String> = reports.iter().flat_map(|report| &report.errors).collect();
    assert!(
        errors.is_empty(),
        "upstream rules that Falco loads have type errors:\n{errors:#?}"
    );
    reports
}

#[test]
fn upstream_syscall_rules_typecheck() {
    run(&[
        "upstream-rules/falco_rules.yaml",
        "upstream-rules/falco-incubating_rules.yaml",
        "upstream-rules/falco-sandbox_rules.yaml",
    ]);
}

#[test]
fn upstream_plugin_rules_typecheck() {
    run(&[
        "plugin-rules/k8s_audit_rules.yaml",
        "plugin-rules/aws_cloudtrail_rules.yaml",
    ]);
}

/// Falco 0.29 rules: Falco 0.44.1 still loads them (`falco -V`, with warnings), among
/// them one for each use of the deprecated `evt.dir`; so here no errors, and the
/// deprecated fields they still use are W401 warnings.
#[test]
fn old_rules_typecheck_with_deprecation_warnings() {
    let reports = run(&[
        "upstream-rules-2021/falco_rules.yaml",
        "upstream-rules-2021/k8s_audit_rules.yaml",
        "upstream-rules-2021/application_rules.yaml",
    ]);
    let warnings: Vec<&String> = reports.iter().flat_map(|report| &report.warnings).collect();
    assert!(
        warnings
            .iter()
            .any(|line| line.contains("W401 field `evt.dir`")),
        "no W401 on evt.dir: {warnings:#?}"
    );
    let other: Vec<&&String> = warnings
        .iter()
        .filter(|line| !line.contains(": W401 "))
        .collect();
    assert!(other.is_empty(), "warnings other than W401: {other:#?}");
}

#[test]
fn deprecated_field_warning_is_a_warning() {
    assert!(!TypeError::new(Code::W401, falco_span::Span::new(0, 0), "x").is_error());
}
