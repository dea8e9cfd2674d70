/**
 * How **Falco Rules: Lint Workspace** runs `falco-rulec lint`, and how it reads the
 * process's exit.
 *
 * With a configuration file the linter loads its `rules_files` in their order
 * (`--config`); without one, every rules file of the workspace is passed in name order,
 * the same order the language server uses when there is no configuration.
 *
 * Plain Node code (no `vscode` import), so the unit tests run without an editor.
 */
import * as path from "node:path";

/** The arguments and working directory of one `falco-rulec` run. */
export interface Invocation {
  args: string[];
  cwd: string;
}

/** What to lint: a configuration file, or the rules files found in the workspace. */
export type LintTarget =
  | { kind: "config"; configFile: string }
  | { kind: "files"; files: string[]; workspaceFolder: string };

/**
 * The invocation for `target`: `lint --format json --config FILE` (run in the config's
 * directory, so relative `rules_files` resolve as Falco resolves them), or
 * `lint --format json FILE...` with the files sorted by path (run in the workspace
 * folder). Returns `undefined` when there is nothing to lint.
 */
export function lintInvocation(target: LintTarget): Invocation | undefined {
  if (target.kind === "config") {
    return {
      args: ["lint", "--format", "json", "--config", target.configFile],
      cwd: path.dirname(target.configFile),
    };
  }
  if (target.files.length === 0) {
    return undefined;
  }
  const files = [...new Set(target.files)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { args: ["lint", "--format", "json", "--", ...files], cwd: target.workspaceFolder };
}

/** How a run ended: a report to read, or an error to show. */
export type LintExit = { ok: true; stdout: string } | { ok: false; message: string };

/**
 * Reads the exit of a run: 0 (clean) and 1 (findings) carry a report on stdout; 2 means
 * bad usage or an unreadable input, explained on stderr; anything else (a signal, a
 * missing binary) is reported as such.
 */
export function interpretExit(
  exitCode: number | null,
  signal: string | null,
  stdout: string,
  stderr: string,
): LintExit {
  if (exitCode === 0 || exitCode === 1) {
    return { ok: true, stdout };
  }
  const detail = stderr.trim() === "" ? "" : `: ${stderr.trim()}`;
  if (exitCode === 2) {
    return { ok: false, message: `falco-rulec could not lint${detail}` };
  }
  if (signal !== null) {
    return { ok: false, message: `falco-rulec was stopped by ${signal}${detail}` };
  }
  return { ok: false, message: `falco-rulec exited with status ${String(exitCode)}${detail}` };
}
