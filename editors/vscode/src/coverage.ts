/**
 * **Falco Rules: Show Rule Coverage**: how the command runs `falco-rulec test --coverage
 * --format json`, and how the report's `coverage` member becomes marks on lines.
 *
 * A line is `covered` when every operand and exception row on it was seen both true and
 * false, `missed` when nothing on it was evaluated (a rule no test reached, operands
 * never run), and `partial` otherwise. Each mark carries a hover text naming what the
 * tests left out. Lines and columns of the report are 1-based; marks are 0-based lines.
 *
 * Plain Node code (no `vscode` import), so the unit tests run without an editor.
 */
import * as path from "node:path";

/** The arguments and working directory of one `falco-rulec test` run. */
export interface Invocation {
  args: string[];
  cwd: string;
}

/** How well the tests covered one line. */
export type LineState = "covered" | "partial" | "missed";

/** One marked line of a rules file. */
export interface LineMark {
  /** 0-based. */
  line: number;
  state: LineState;
  /** Markdown: each operand, row or rule of the line with its counts. */
  hover: string;
}

/** The report was not what this extension understands. */
export class CoverageReportError extends Error {}

/**
 * `test --coverage --format json -- PATHS`, run in the workspace folder; the paths are
 * the test files or folders of the `falcoRules.coverage.tests` setting, relative to it.
 * `undefined` when there are none.
 */
export function coverageInvocation(tests: readonly unknown[] | undefined, workspaceFolder: string): Invocation | undefined {
  const paths = (tests ?? []).filter((item): item is string => typeof item === "string" && item.trim() !== "");
  if (paths.length === 0) {
    return undefined;
  }
  return { args: ["test", "--coverage", "--format", "json", "--", ...paths], cwd: workspaceFolder };
}

/** How a run ended: a report to read, or an error to show. */
export type TestExit = { ok: true; stdout: string } | { ok: false; message: string };

/**
 * Reads the exit of a run: 0 (every case passed) and 1 (failures) carry a report on
 * stdout; 2 means bad usage or an unreadable test file, explained on stderr.
 */
export function interpretTestExit(exitCode: number | null, signal: string | null, stdout: string, stderr: string): TestExit {
  if (exitCode === 0 || exitCode === 1) {
    return { ok: true, stdout };
  }
  const detail = stderr.trim() === "" ? "" : `: ${stderr.trim()}`;
  if (exitCode === 2) {
    return { ok: false, message: `falco-rulec could not run the tests${detail}` };
  }
  if (signal !== null) {
    return { ok: false, message: `falco-rulec was stopped by ${signal}${detail}` };
  }
  return { ok: false, message: `falco-rulec exited with status ${String(exitCode)}${detail}` };
}

interface RawRule {
  name: string;
  line: number;
  enabled: boolean;
  evaluations: number;
  matches: number;
}

interface RawPoint {
  line: number;
  kind: string;
  text: string;
  true: number;
  false: number;
}

interface RawFile {
  path: string;
  rules: RawRule[];
  points: RawPoint[];
}

/** What the tests made of one thing on a line. */
interface Entry {
  evaluated: boolean;
  complete: boolean;
  text: string;
}

/**
 * The marks of each rules file (by absolute path, relative paths taken from `cwd`) in
 * the JSON report of `falco-rulec test --coverage`.
 */
export function parseCoverage(stdout: string, cwd: string): Map<string, LineMark[]> {
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch (error) {
    throw new CoverageReportError(`the test report is not JSON: ${String(error)}`);
  }
  const files = (report as { coverage?: { files?: unknown } } | null)?.coverage?.files;
  if (!Array.isArray(files)) {
    throw new CoverageReportError("the test report has no coverage (is falco-rulec older than this extension?)");
  }
  const marks = new Map<string, LineMark[]>();
  for (const file of files as RawFile[]) {
    const lines = new Map<number, Entry[]>();
    const add = (line: number, entry: Entry): void => {
      const list = lines.get(line) ?? [];
      list.push(entry);
      lines.set(line, list);
    };
    for (const rule of file.rules) {
      const reached = rule.evaluations > 0;
      const why = reached
        ? `evaluated ${rule.evaluations} times, matched ${rule.matches}`
        : rule.enabled
          ? "not reached by any test"
          : "not reached by any test (disabled)";
      add(rule.line, { evaluated: reached, complete: reached, text: `rule \`${rule.name}\`: ${why}` });
    }
    for (const point of file.points) {
      const evaluated = point.true + point.false > 0;
      const what = point.kind === "exception_row" ? "exception row" : point.kind === "macro" ? "macro" : "";
      const label = `${what === "" ? "" : `${what} `}\`${point.text}\``;
      add(point.line, {
        evaluated,
        complete: point.true > 0 && point.false > 0,
        text: evaluated ? `${label}: true ${point.true}, false ${point.false}` : `${label}: never evaluated`,
      });
    }
    const fileMarks: LineMark[] = [...lines.entries()]
      .sort(([a], [b]) => a - b)
      .map(([line, entries]) => ({
        line: line - 1,
        state: entries.every((entry) => entry.complete)
          ? "covered"
          : entries.some((entry) => entry.evaluated)
            ? "partial"
            : "missed",
        hover: entries.map((entry) => `- ${entry.text}`).join("\n"),
      }));
    marks.set(path.resolve(cwd, file.path), fileMarks);
  }
  return marks;
}
