/**
 * What the extension tells the language server, and which setting changes need a new
 * server process.
 *
 * Plain Node code (no `vscode` import), so the unit tests run without an editor.
 */

/** The setting section of the extension. */
export const SECTION = "falcoRules";

/** The `initializationOptions` of the LSP `initialize` request. */
export interface InitializationOptions {
  /** Absolute path of the `falco.yaml` or project file giving the load order. */
  configFile?: string;
}

/**
 * The `initializationOptions` for a resolved configuration file: `{ configFile }`, or
 * `{}` when none is set (the server then looks for `falco.yaml` at the workspace root).
 */
export function initializationOptions(configFile: string | undefined): InitializationOptions {
  return configFile === undefined ? {} : { configFile };
}

/** Settings whose change restarts the server (they shape its start or its `initialize`). */
export const RESTART_SETTINGS: readonly string[] = [`${SECTION}.server.path`, `${SECTION}.configFile`];

/** Settings whose change re-decides which open documents are rules files. */
export const GLOB_SETTINGS: readonly string[] = [`${SECTION}.files.extraGlobs`];

/** True when a configuration change touches one of `keys` (given VS Code's `affectsConfiguration`). */
export function affectsAny(affects: (key: string) => boolean, keys: readonly string[]): boolean {
  return keys.some((key) => affects(key));
}
