/**
 * Finding the `falco-rules-lsp` and `falco-rulec` binaries: the path from the settings,
 * else the copy bundled in the extension (`server/<name>`), else the first on `PATH`.
 *
 * Plain Node code (no `vscode` import), so the unit tests run without an editor.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Where a binary was found. */
export type BinarySource = "setting" | "bundled" | "path";

/** The outcome of a search: the binary, or every place that was tried. */
export type Discovery =
  | { ok: true; path: string; source: BinarySource }
  | { ok: false; message: string; searched: string[] };

/** What the search may look at; injected so tests can use a fake file system. */
export interface DiscoveryEnv {
  /** The extension's install directory (holds `server/` when binaries are bundled). */
  extensionPath: string;
  /** The `PATH` variable, if any. */
  pathEnv: string | undefined;
  /** `process.platform`: decides the `.exe` suffix and the `PATH` separator. */
  platform: NodeJS.Platform;
  /** The user's home directory, for a setting that starts with `~`. */
  homeDir: string | undefined;
  /** The first workspace folder, for `${workspaceFolder}` and relative settings. */
  workspaceFolder: string | undefined;
  /** True when the path names an executable regular file. */
  isExecutable: (candidate: string) => boolean;
}

/** The file name of `base` on `platform` (`falco-rules-lsp.exe` on Windows). */
export function executableName(base: string, platform: NodeJS.Platform): string {
  return platform === "win32" ? `${base}.exe` : base;
}

/**
 * Expands `~` and `${workspaceFolder}` in a path setting and makes it absolute
 * (relative to the workspace folder). Returns `undefined` for an empty setting, and an
 * error message when the setting cannot be resolved.
 */
export function resolveSettingPath(
  setting: string | undefined,
  env: Pick<DiscoveryEnv, "homeDir" | "workspaceFolder" | "platform">,
): { ok: true; path: string | undefined } | { ok: false; message: string } {
  const trimmed = (setting ?? "").trim();
  if (trimmed === "") {
    return { ok: true, path: undefined };
  }
  const pathApi = env.platform === "win32" ? path.win32 : path.posix;
  let expanded = trimmed;
  if (expanded.includes("${workspaceFolder}")) {
    if (env.workspaceFolder === undefined) {
      return {
        ok: false,
        message: `\`${trimmed}\` uses \${workspaceFolder}, but no folder is open`,
      };
    }
    expanded = expanded.split("${workspaceFolder}").join(env.workspaceFolder);
  }
  if (expanded === "~" || expanded.startsWith("~/") || expanded.startsWith("~\\")) {
    if (env.homeDir === undefined) {
      return { ok: false, message: `\`${trimmed}\` starts with ~, but the home directory is unknown` };
    }
    expanded = pathApi.join(env.homeDir, expanded.slice(1));
  }
  if (!pathApi.isAbsolute(expanded)) {
    if (env.workspaceFolder === undefined) {
      return {
        ok: false,
        message: `\`${trimmed}\` is relative, but no workspace folder is open to resolve it against`,
      };
    }
    expanded = pathApi.join(env.workspaceFolder, expanded);
  }
  return { ok: true, path: pathApi.normalize(expanded) };
}

/**
 * Finds the binary `base` (e.g. `falco-rules-lsp`). A non-empty `setting` wins and is
 * never silently replaced by another binary: if it does not name an executable, the
 * search fails with that reason.
 */
export function findBinary(base: string, setting: string | undefined, env: DiscoveryEnv): Discovery {
  const fromSetting = resolveSettingPath(setting, env);
  if (!fromSetting.ok) {
    return { ok: false, message: fromSetting.message, searched: [] };
  }
  if (fromSetting.path !== undefined) {
    if (env.isExecutable(fromSetting.path)) {
      return { ok: true, path: fromSetting.path, source: "setting" };
    }
    return {
      ok: false,
      message: `the configured path \`${fromSetting.path}\` is not an executable file`,
      searched: [fromSetting.path],
    };
  }
  const pathApi = env.platform === "win32" ? path.win32 : path.posix;
  const name = executableName(base, env.platform);
  const searched: string[] = [];
  const bundled = pathApi.join(env.extensionPath, "server", name);
  searched.push(bundled);
  if (env.isExecutable(bundled)) {
    return { ok: true, path: bundled, source: "bundled" };
  }
  const separator = env.platform === "win32" ? ";" : ":";
  for (const dir of (env.pathEnv ?? "").split(separator)) {
    if (dir === "") {
      continue;
    }
    const candidate = pathApi.join(dir, name);
    searched.push(candidate);
    if (env.isExecutable(candidate)) {
      return { ok: true, path: candidate, source: "path" };
    }
  }
  return {
    ok: false,
    message: `\`${name}\` was found neither bundled with the extension nor on PATH`,
    searched,
  };
}

/** The real check: an existing regular file that this process may execute. */
export function isExecutableFile(candidate: string): boolean {
  try {
    if (!fs.statSync(candidate).isFile()) {
      return false;
    }
    if (process.platform !== "win32") {
      fs.accessSync(candidate, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}
