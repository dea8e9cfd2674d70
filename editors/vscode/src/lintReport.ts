/**
 * `falco-rulec lint --format json` (the JSON contract, versions 1 and 2; 2 adds `notes`,
 * which the editor does not show) → editor diagnostics.
 *
 * The contract gives 1-based lines and 1-based columns counted in characters (Unicode
 * scalar values), with the end pointing after the span. VS Code wants 0-based lines and
 * UTF-16 columns, so each column is converted against the text of its line.
 *
 * Plain Node code (no `vscode` import), so the unit tests run without an editor.
 */
import * as path from "node:path";

/** The contract versions this module reads. */
export const CONTRACT_VERSIONS: readonly number[] = [1, 2];

/** A 0-based position in UTF-16 code units, as VS Code and LSP count. */
export interface Position {
  line: number;
  character: number;
}

/** A severity as VS Code names them. */
export type Severity = "error" | "warning" | "information";

/** A secondary location of a diagnostic. */
export interface RelatedInfo {
  file: string;
  position: Position;
  message: string;
}

/** One diagnostic, ready to become a `vscode.Diagnostic`. */
export interface FileDiagnostic {
  start: Position;
  end: Position;
  severity: Severity;
  code: string;
  message: string;
  related: RelatedInfo[];
}

/** The run's totals, as the contract reports them. */
export interface LintSummary {
  files: number;
  rules: number;
  macros: number;
  lists: number;
  errors: number;
  warnings: number;
}

/** A whole report: diagnostics grouped by absolute file path, and the totals. */
export interface LintResult {
  byFile: Map<string, FileDiagnostic[]>;
  summary: LintSummary;
}

/** Gives the text of a 0-based line of a file, or `undefined` if it cannot be read. */
export type LineLookup = (file: string, line: number) => string | undefined;

/** The report was not the JSON contract this extension understands. */
export class LintReportError extends Error {}

interface RawRelated {
  message: string;
  file: string;
  line: number;
  column: number;
}

interface RawDiagnostic {
  code: string;
  severity: string;
  message: string;
  file: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  help: string | null;
  related: RawRelated[];
}

function fail(where: string, what: string): never {
  throw new LintReportError(`falco-rulec lint output: ${where}: ${what}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== "string") {
    fail(where, `\`${key}\` is not a string`);
  }
  return value;
}

function positiveInt(record: Record<string, unknown>, key: string, where: string): number {
  const value = record[key];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    fail(where, `\`${key}\` is not a positive integer`);
  }
  return value;
}

function count(record: Record<string, unknown>, key: string): number {
  const value = record[key];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    fail("summary", `\`${key}\` is not a count`);
  }
  return value;
}

function readRelated(value: unknown, where: string): RawRelated {
  if (!isRecord(value)) {
    fail(where, "not an object");
  }
  return {
    message: str(value, "message", where),
    file: str(value, "file", where),
    line: positiveInt(value, "line", where),
    column: positiveInt(value, "column", where),
  };
}

function readDiagnostic(value: unknown, index: number): RawDiagnostic {
  const where = `diagnostics[${index}]`;
  if (!isRecord(value)) {
    fail(where, "not an object");
  }
  const help = value["help"];
  if (help !== null && help !== undefined && typeof help !== "string") {
    fail(where, "`help` is neither a string nor null");
  }
  const related = value["related"] ?? [];
  if (!Array.isArray(related)) {
    fail(where, "`related` is not an array");
  }
  return {
    code: str(value, "code", where),
    severity: str(value, "severity", where),
    message: str(value, "message", where),
    file: str(value, "file", where),
    line: positiveInt(value, "line", where),
    column: positiveInt(value, "column", where),
    end_line: positiveInt(value, "end_line", where),
    end_column: positiveInt(value, "end_column", where),
    help: typeof help === "string" ? help : null,
    related: related.map((item, i) => readRelated(item, `${where}.related[${i}]`)),
  };
}

function severityOf(raw: string, where: string): Severity {
  switch (raw) {
    case "error":
      return "error";
    case "warning":
      return "warning";
    case "info":
      return "information";
    default:
      fail(where, `unknown severity \`${raw}\``);
  }
}

/**
 * The UTF-16 column of the 1-based character column `column` in `lineText`. Without the
 * line's text, characters are assumed to be one code unit each. A column past the end of
 * the line is kept past the end (VS Code clamps it).
 */
export function charColumnToUtf16(lineText: string | undefined, column: number): number {
  const chars = column - 1;
  if (lineText === undefined) {
    return chars;
  }
  let units = 0;
  let seen = 0;
  for (const ch of lineText) {
    if (seen === chars) {
      return units;
    }
    units += ch.length;
    seen++;
  }
  return units + (chars - seen);
}

function position(file: string, line: number, column: number, lookup: LineLookup): Position {
  return { line: line - 1, character: charColumnToUtf16(lookup(file, line - 1), column) };
}

/**
 * Parses the output of `falco-rulec lint --format json` and converts every diagnostic.
 * Relative file paths are taken relative to `baseDir` (the directory the linter ran in).
 * Throws `LintReportError` when the text is not contract version 1.
 */
export function parseLintReport(stdout: string, baseDir: string, lookup: LineLookup): LintResult {
  let document: unknown;
  try {
    document = JSON.parse(stdout);
  } catch (error) {
    throw new LintReportError(`falco-rulec lint output is not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(document)) {
    fail("document", "not an object");
  }
  const version = document["version"];
  if (typeof version !== "number" || !CONTRACT_VERSIONS.includes(version)) {
    fail("document", `version ${JSON.stringify(version)} is not a supported version (${CONTRACT_VERSIONS.join(", ")})`);
  }
  const diagnostics = document["diagnostics"];
  if (!Array.isArray(diagnostics)) {
    fail("document", "`diagnostics` is not an array");
  }
  const summaryValue = document["summary"];
  if (!isRecord(summaryValue)) {
    fail("document", "`summary` is not an object");
  }
  const summary: LintSummary = {
    files: count(summaryValue, "files"),
    rules: count(summaryValue, "rules"),
    macros: count(summaryValue, "macros"),
    lists: count(summaryValue, "lists"),
    errors: count(summaryValue, "errors"),
    warnings: count(summaryValue, "warnings"),
  };
  const absolute = (file: string): string => path.resolve(baseDir, file);
  const byFile = new Map<string, FileDiagnostic[]>();
  diagnostics.forEach((value, index) => {
    const raw = readDiagnostic(value, index);
    const file = absolute(raw.file);
    const message = raw.help === null ? raw.message : `${raw.message}\nhelp: ${raw.help}`;
    const diagnostic: FileDiagnostic = {
      start: position(file, raw.line, raw.column, lookup),
      end: position(file, raw.end_line, raw.end_column, lookup),
      severity: severityOf(raw.severity, `diagnostics[${index}]`),
      code: raw.code,
      message,
      related: raw.related.map((item) => {
        const relatedFile = absolute(item.file);
        return {
          file: relatedFile,
          position: position(relatedFile, item.line, item.column, lookup),
          message: item.message,
        };
      }),
    };
    const list = byFile.get(file);
    if (list === undefined) {
      byFile.set(file, [diagnostic]);
    } else {
      list.push(diagnostic);
    }
  });
  return { byFile, summary };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** One line for the output channel and the notification: "3 files, 120 rules, …: 2 errors, 1 warning". */
export function summaryLine(summary: LintSummary): string {
  return (
    `${plural(summary.files, "file")}, ${plural(summary.rules, "rule")}, ` +
    `${plural(summary.macros, "macro")}, ${plural(summary.lists, "list")}: ` +
    `${plural(summary.errors, "error")}, ${plural(summary.warnings, "warning")}`
  );
}

/** A line lookup that reads each file once from disk (the text `lint` read). */
export function diskLineLookup(readFile: (file: string) => string): LineLookup {
  const cache = new Map<string, string[] | undefined>();
  return (file, line) => {
    if (!cache.has(file)) {
      let lines: string[] | undefined;
      try {
        lines = readFile(file)
          .split("\n")
          .map((text) => text.replace(/\r$/, ""));
      } catch {
        lines = undefined;
      }
      cache.set(file, lines);
    }
    return cache.get(file)?.[line];
  };
}
