//! Rendering coverage (see [`super::coverage`]): a text summary of what tests left
//! out, a JSON member of the test report, and an lcov tracefile for editors'
//! coverage gutters.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::coverage::{Coverage, Point, PointKind, RuleReach};

/// How much of an operand tests saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    Both,
    OnlyTrue,
    OnlyFalse,
    Never,
}

fn seen(point: &Point) -> Seen {
    match (point.true_count > 0, point.false_count > 0) {
        (true, true) => Seen::Both,
        (true, false) => Seen::OnlyTrue,
        (false, true) => Seen::OnlyFalse,
        (false, false) => Seen::Never,
    }
}

/// Totals over a coverage.
#[derive(Clone, Copy, Debug, Default, Serialize)]
struct Totals {
    rules: usize,
    rules_reached: usize,
    points: usize,
    points_true_and_false: usize,
    points_only_true: usize,
    points_only_false: usize,
    points_never_evaluated: usize,
}

fn totals(coverage: &Coverage) -> Totals {
    let mut totals = Totals {
        rules: coverage.rules.len(),
        rules_reached: coverage
            .rules
            .values()
            .filter(|rule| rule.evaluations > 0)
            .count(),
        points: coverage.points.len(),
        ..Totals::default()
    };
    for point in coverage.points.values() {
        match seen(point) {
            Seen::Both => totals.points_true_and_false += 1,
            Seen::OnlyTrue => totals.points_only_true += 1,
            Seen::OnlyFalse => totals.points_only_false += 1,
            Seen::Never => totals.points_never_evaluated += 1,
        }
    }
    totals
}

fn label(point: &Point) -> String {
    match &point.kind {
        PointKind::Check => format!("`{}`", point.text),
        PointKind::Macro(name) => format!("macro `{name}`"),
        PointKind::Row { exception, row } => {
            format!("exception `{exception}` row {row} (`{}`)", point.text)
        }
    }
}

/// The text summary: per rules file, the rules no test reached and the operands
/// and exception rows not seen both true and false, by line.
pub fn text(coverage: &Coverage) -> String {
    let totals = totals(coverage);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "coverage: {} of {} rules reached; {} of {} operands and exception rows seen true and false ({} only true, {} only false, {} never evaluated)",
        totals.rules_reached,
        totals.rules,
        totals.points_true_and_false,
        totals.points,
        totals.points_only_true,
        totals.points_only_false,
        totals.points_never_evaluated
    );
    for (path, (rules, points)) in by_file(coverage) {
        let unreached: Vec<&&RuleReach> =
            rules.iter().filter(|rule| rule.evaluations == 0).collect();
        let partial: Vec<&&Point> = points
            .iter()
            .filter(|point| seen(point) != Seen::Both)
            .collect();
        if unreached.is_empty() && partial.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  {path}");
        let mut lines: Vec<(u32, String)> = unreached
            .into_iter()
            .map(|rule| {
                let why = if rule.enabled { "" } else { " (disabled)" };
                let line = format!("rule `{}` not reached by any test{why}", rule.name);
                (rule.line, line)
            })
            .collect();
        lines.extend(partial.into_iter().map(|point| {
            let what = match seen(point) {
                Seen::OnlyTrue => format!("only true ({})", point.true_count),
                Seen::OnlyFalse => format!("only false ({})", point.false_count),
                Seen::Never | Seen::Both => "never evaluated".to_owned(),
            };
            (point.start.line, format!("{} {what}", label(point)))
        }));
        lines.sort_by_key(|(line, _)| *line);
        for (line, text) in lines {
            let _ = writeln!(out, "    line {line}: {text}");
        }
    }
    out
}

/// The rules and points of each rules file, in path order.
type FileEntries<'c> = BTreeMap<&'c str, (Vec<&'c RuleReach>, Vec<&'c Point>)>;

fn by_file(coverage: &Coverage) -> FileEntries<'_> {
    let mut files: FileEntries<'_> = BTreeMap::new();
    for rule in coverage.rules.values() {
        files.entry(&rule.path).or_default().0.push(rule);
    }
    for point in coverage.points.values() {
        files.entry(&point.path).or_default().1.push(point);
    }
    for (rules, points) in files.values_mut() {
        rules.sort_by_key(|rule| rule.line);
        points.sort_by_key(|point| (point.start, point.end));
    }
    files
}

/// An lcov tracefile: per rules file, each rule as a function (its evaluations),
/// each operand and exception row as a branch pair (true, false) on its line, and
/// each such line's evaluations.
pub fn lcov(coverage: &Coverage) -> String {
    let mut out = String::new();
    for (path, (rules, points)) in by_file(coverage) {
        let _ = writeln!(out, "TN:\nSF:{path}");
        for rule in &rules {
            let _ = writeln!(out, "FN:{},{}", rule.line, rule.name);
        }
        for rule in &rules {
            let _ = writeln!(out, "FNDA:{},{}", rule.evaluations, rule.name);
        }
        let hit = rules.iter().filter(|rule| rule.evaluations > 0).count();
        let _ = writeln!(out, "FNF:{}\nFNH:{hit}", rules.len());
        let mut lines: BTreeMap<u32, u64> = BTreeMap::new();
        let mut branches_hit = 0;
        for (block, point) in points.iter().enumerate() {
            let line = point.start.line;
            let evaluations = point.true_count + point.false_count;
            *lines.entry(line).or_default() += evaluations;
            for (branch, taken) in [point.true_count, point.false_count]
                .into_iter()
                .enumerate()
            {
                let taken = if evaluations == 0 {
                    "-".to_owned()
                } else {
                    taken.to_string()
                };
                let _ = writeln!(out, "BRDA:{line},{block},{branch},{taken}");
            }
            branches_hit += usize::from(point.true_count > 0) + usize::from(point.false_count > 0);
        }
        let _ = writeln!(out, "BRF:{}\nBRH:{branches_hit}", points.len() * 2);
        for (line, hits) in &lines {
            let _ = writeln!(out, "DA:{line},{hits}");
        }
        let lines_hit = lines.values().filter(|hits| **hits > 0).count();
        let _ = writeln!(out, "LF:{}\nLH:{lines_hit}\nend_of_record", lines.len());
    }
    out
}

/// The `coverage` member of the JSON test report.
#[derive(Serialize)]
pub struct JsonCoverage<'c> {
    files: Vec<JsonFile<'c>>,
    summary: Totals,
}

#[derive(Serialize)]
struct JsonFile<'c> {
    path: &'c str,
    rules: Vec<JsonRule<'c>>,
    points: Vec<JsonPoint<'c>>,
}

#[derive(Serialize)]
struct JsonRule<'c> {
    name: &'c str,
    line: u32,
    enabled: bool,
    evaluations: u64,
    matches: u64,
}

#[derive(Serialize)]
struct JsonPoint<'c> {
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    kind: &'static str,
    text: &'c str,
    #[serde(skip_serializing_if = "Option::is_none")]
    r#macro: Option<&'c str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exception: Option<&'c str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    row: Option<usize>,
    #[serde(rename = "true")]
    true_count: u64,
    #[serde(rename = "false")]
    false_count: u64,
}

/// The coverage as the JSON report shows it.
pub fn json(coverage: &Coverage) -> JsonCoverage<'_> {
    let files = by_file(coverage)
        .into_iter()
        .map(|(path, (rules, points))| JsonFile {
            path,
            rules: rules
                .iter()
                .map(|rule| JsonRule {
                    name: &rule.name,
                    line: rule.line,
                    enabled: rule.enabled,
                    evaluations: rule.evaluations,
                    matches: rule.matches,
                })
                .collect(),
            points: points.iter().map(|point| json_point(point)).collect(),
        })
        .collect();
    JsonCoverage {
        files,
        summary: totals(coverage),
    }
}

fn json_point(point: &Point) -> JsonPoint<'_> {
    let (kind, r#macro, exception, row) = match &point.kind {
        PointKind::Check => ("check", None, None, None),
        PointKind::Macro(name) => ("macro", Some(name.as_str()), None, None),
        PointKind::Row { exception, row } => {
            ("exception_row", None, Some(exception.as_str()), Some(*row))
        }
    };
    JsonPoint {
        line: point.start.line,
        column: point.start.column,
        end_line: point.end.line,
        end_column: point.end.column,
        kind,
        text: &point.text,
        r#macro,
        exception,
        row,
        true_count: point.true_count,
        false_count: point.false_count,
    }
}
