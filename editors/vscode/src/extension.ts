/**
 * The VS Code side: starts `falco-rules-lsp` over stdio for `falco-rules` documents,
 * switches YAML files matching the extra globs to that language, and runs
 * `falco-rulec lint` over the workspace and `falco-rulec test --coverage` on demand. The
 * decisions live in plain modules (binaryDiscovery, globs, lintInvocation, lintReport,
 * coverage, clientConfig); this file is glue.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";
import { findBinary, isExecutableFile, resolveSettingPath, DiscoveryEnv } from "./binaryDiscovery";
import { GLOB_SETTINGS, RESTART_SETTINGS, SECTION, affectsAny, initializationOptions } from "./clientConfig";
import { CoverageReportError, LineMark, LineState, coverageInvocation, interpretTestExit, parseCoverage } from "./coverage";
import { GlobSet, compileGlobs, isRulesFile, isYamlFile, sniffRules, workspaceSearchGlobs } from "./globs";
import { interpretExit, lintInvocation, LintTarget } from "./lintInvocation";
import { FileDiagnostic, LintReportError, diskLineLookup, parseLintReport, summaryLine } from "./lintReport";

const LANGUAGE_ID = "falco-rules";
const SERVER_NAME = "falco-rules-lsp";
const LINTER_NAME = "falco-rulec";

let client: LanguageClient | undefined;
/** True once a rules file has been seen: the server runs only for people who edit rules. */
let wanted = false;
let output: vscode.OutputChannel;
let lintDiagnostics: vscode.DiagnosticCollection;
let globs: GlobSet = compileGlobs([]);
/** One watcher for the extension's lifetime, shared by successive server starts. */
let yamlWatcher: vscode.FileSystemWatcher;
/** The last rule coverage shown, by absolute file path (empty: none shown). */
let coverageMarks = new Map<string, LineMark[]>();
let coverageDecorations: Record<LineState, vscode.TextEditorDecorationType>;

/** Entry point: called by VS Code on the first YAML or rules file. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("Falco Rules");
  lintDiagnostics = vscode.languages.createDiagnosticCollection("falco-rulec lint");
  yamlWatcher = vscode.workspace.createFileSystemWatcher("**/*.{yaml,yml}");
  coverageDecorations = {
    covered: vscode.window.createTextEditorDecorationType({ isWholeLine: true, backgroundColor: "rgba(40, 160, 60, 0.12)" }),
    partial: vscode.window.createTextEditorDecorationType({ isWholeLine: true, backgroundColor: "rgba(220, 160, 0, 0.18)" }),
    missed: vscode.window.createTextEditorDecorationType({ isWholeLine: true, backgroundColor: "rgba(220, 40, 40, 0.15)" }),
  };
  context.subscriptions.push(output, lintDiagnostics, yamlWatcher, ...Object.values(coverageDecorations));

  reloadGlobs();
  context.subscriptions.push(
    vscode.commands.registerCommand("falcoRules.restartServer", () => restartServer(context)),
    vscode.commands.registerCommand("falcoRules.lintWorkspace", () => lintWorkspace(context)),
    vscode.commands.registerCommand("falcoRules.showCoverage", () => showCoverage(context)),
    vscode.commands.registerCommand("falcoRules.hideCoverage", () => {
      coverageMarks = new Map();
      decorateEditors();
    }),
    vscode.window.onDidChangeVisibleTextEditors(decorateEditors),
    vscode.workspace.onDidOpenTextDocument((document) => {
      adoptIfRulesFile(document);
      void startIfWanted(context, document);
    }),
    // A lint result describes the file as it was on disk; once edited, the server's
    // diagnostics are the current ones.
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length > 0) {
        lintDiagnostics.delete(event.document.uri);
      }
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      const affects = (key: string): boolean => event.affectsConfiguration(key);
      if (affectsAny(affects, GLOB_SETTINGS)) {
        reloadGlobs();
      }
      if (wanted && affectsAny(affects, RESTART_SETTINGS)) {
        await restartServer(context);
      }
    }),
  );
  for (const document of vscode.workspace.textDocuments) {
    await startIfWanted(context, document);
  }
}

/**
 * Starts the server at the first `falco-rules` document. The extension activates on any
 * YAML file (to apply the extra globs); someone editing only Kubernetes manifests should
 * neither run the server nor be told that it is missing.
 */
async function startIfWanted(context: vscode.ExtensionContext, document: vscode.TextDocument): Promise<void> {
  if (wanted || document.languageId !== LANGUAGE_ID) {
    return;
  }
  wanted = true;
  await serialized(() => startServer(context));
}

/** Called by VS Code on shutdown: stops the server (LSP `shutdown` then `exit`). */
export async function deactivate(): Promise<void> {
  await serialized(stopServer);
}

/** The tail of the server's start/stop operations: each waits for the one before. */
let lifecycle: Promise<void> = Promise.resolve();

/**
 * Runs `operation` after every earlier start/stop, so that two quick restarts (a setting
 * changed twice) cannot leave two servers running.
 */
function serialized(operation: () => Promise<void>): Promise<void> {
  lifecycle = lifecycle.then(operation, operation);
  return lifecycle;
}

function settings(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

function firstWorkspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function discoveryEnv(context: vscode.ExtensionContext): DiscoveryEnv {
  return {
    extensionPath: context.extensionPath,
    pathEnv: process.env["PATH"],
    platform: process.platform,
    homeDir: os.homedir(),
    workspaceFolder: firstWorkspaceFolder(),
    isExecutable: isExecutableFile,
  };
}

/** The configuration file setting, absolute; `undefined` when unset; an error is shown. */
function configFile(): { ok: true; path: string | undefined } | { ok: false } {
  const resolved = resolveSettingPath(settings().get<string>("configFile"), {
    homeDir: os.homedir(),
    workspaceFolder: firstWorkspaceFolder(),
    platform: process.platform,
  });
  if (!resolved.ok) {
    void vscode.window.showErrorMessage(`Falco Rules: falcoRules.configFile: ${resolved.message}`);
    return { ok: false };
  }
  if (resolved.path !== undefined && !fs.existsSync(resolved.path)) {
    void vscode.window.showWarningMessage(`Falco Rules: the configuration file ${resolved.path} does not exist.`);
  }
  return resolved;
}

function reloadGlobs(): void {
  globs = compileGlobs(settings().get<unknown[]>("files.extraGlobs"));
  for (const error of globs.errors) {
    output.appendLine(`falcoRules.files.extraGlobs: ${error}`);
  }
  vscode.workspace.textDocuments.forEach(adoptIfRulesFile);
}

/**
 * Gives a YAML document the `falco-rules` language when it is a rules file: by its name
 * or folder (the shared list and the extra globs), or by its first lines.
 */
function adoptIfRulesFile(document: vscode.TextDocument): void {
  if (document.languageId !== "yaml" || document.uri.scheme !== "file") {
    return;
  }
  const folders = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
  const file = document.uri.fsPath;
  if (isRulesFile(file, folders, globs) || (isYamlFile(file) && sniffRules(document.getText()))) {
    void vscode.languages.setTextDocumentLanguage(document, LANGUAGE_ID);
  }
}

async function startServer(context: vscode.ExtensionContext): Promise<void> {
  const found = findBinary(SERVER_NAME, settings().get<string>("server.path"), discoveryEnv(context));
  if (!found.ok) {
    output.appendLine(`${SERVER_NAME}: ${found.message}; looked at:\n  ${found.searched.join("\n  ")}`);
    // Not awaited: the notification stays until dismissed, activation must not.
    void vscode.window
      .showErrorMessage(
        `Falco Rules: ${found.message}. Install it or set falcoRules.server.path.`,
        "Open Settings",
        "Show Log",
      )
      .then((choice) => {
        if (choice === "Open Settings") {
          void vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.server.path`);
        } else if (choice === "Show Log") {
          output.show();
        }
      });
    return;
  }
  const config = configFile();
  if (!config.ok) {
    return;
  }
  output.appendLine(`Starting ${found.path} (${found.source})`);
  const serverOptions: ServerOptions = {
    command: found.path,
    args: [],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: LANGUAGE_ID, scheme: "file" },
      { language: LANGUAGE_ID, scheme: "untitled" },
    ],
    initializationOptions: initializationOptions(config.path),
    outputChannel: output,
    synchronize: {
      // Rules files and falco.yaml changed outside the editor (git checkout, codegen).
      fileEvents: yamlWatcher,
    },
  };
  client = new LanguageClient("falcoRules", "Falco Rules Language Server", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    output.appendLine(`${SERVER_NAME} failed to start: ${String(error)}`);
    void vscode.window.showErrorMessage(`Falco Rules: ${SERVER_NAME} failed to start (see the output channel).`);
  }
}

async function stopServer(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined) {
    try {
      await running.stop();
    } catch (error) {
      output.appendLine(`${SERVER_NAME} did not stop cleanly: ${String(error)}`);
    }
  }
}

async function restartServer(context: vscode.ExtensionContext): Promise<void> {
  // An explicit restart starts the server even before a rules file was opened.
  wanted = true;
  await serialized(async () => {
    await stopServer();
    await startServer(context);
  });
}

/** Runs `falco-rulec lint` and puts its findings in the Problems panel. */
async function lintWorkspace(context: vscode.ExtensionContext): Promise<void> {
  const found = findBinary(LINTER_NAME, settings().get<string>("lint.path"), discoveryEnv(context));
  if (!found.ok) {
    output.appendLine(`${LINTER_NAME}: ${found.message}; looked at:\n  ${found.searched.join("\n  ")}`);
    void vscode.window.showErrorMessage(`Falco Rules: ${found.message}. Install it or set falcoRules.lint.path.`);
    return;
  }
  const config = configFile();
  if (!config.ok) {
    return;
  }
  let target: LintTarget;
  if (config.path !== undefined) {
    target = { kind: "config", configFile: config.path };
  } else {
    const folder = firstWorkspaceFolder();
    if (folder === undefined) {
      void vscode.window.showInformationMessage("Falco Rules: open a folder to lint its rules files.");
      return;
    }
    const uris = await Promise.all(
      workspaceSearchGlobs(globs).map((glob) => vscode.workspace.findFiles(glob, "**/node_modules/**")),
    );
    target = { kind: "files", files: uris.flat().map((uri) => uri.fsPath), workspaceFolder: folder };
  }
  const invocation = lintInvocation(target);
  if (invocation === undefined) {
    void vscode.window.showInformationMessage("Falco Rules: no rules files found in the workspace.");
    return;
  }
  output.appendLine(`Running ${found.path} ${invocation.args.join(" ")} (in ${invocation.cwd})`);
  const exit = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: "Falco Rules: linting" },
    () =>
      new Promise<ReturnType<typeof interpretExit>>((resolve) => {
        execFile(
          found.path,
          invocation.args,
          { cwd: invocation.cwd, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" },
          (error, stdout, stderr) => {
            if (error !== null && typeof error.code === "string") {
              // Not an exit status: the process could not start (ENOENT, EACCES) or its
              // output overflowed the buffer.
              resolve({ ok: false, message: `running ${found.path} failed: ${error.message}` });
              return;
            }
            const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
            resolve(interpretExit(code, error?.signal ?? null, stdout, stderr));
          },
        );
      }),
  );
  if (!exit.ok) {
    output.appendLine(exit.message);
    void vscode.window.showErrorMessage(`Falco Rules: ${exit.message.split("\n")[0]}`);
    return;
  }
  let result;
  try {
    result = parseLintReport(exit.stdout, invocation.cwd, diskLineLookup((file) => fs.readFileSync(file, "utf8")));
  } catch (error) {
    const message = error instanceof LintReportError ? error.message : String(error);
    output.appendLine(message);
    void vscode.window.showErrorMessage(`Falco Rules: ${message}`);
    return;
  }
  lintDiagnostics.clear();
  for (const [file, diagnostics] of result.byFile) {
    lintDiagnostics.set(vscode.Uri.file(file), diagnostics.map(toVscodeDiagnostic));
  }
  const line = summaryLine(result.summary);
  output.appendLine(`Lint: ${line}`);
  void vscode.window.showInformationMessage(`Falco Rules lint: ${line}`, "Show Problems").then((choice) => {
    if (choice === "Show Problems") {
      void vscode.commands.executeCommand("workbench.actions.view.problems");
    }
  });
}

function toVscodeDiagnostic(item: FileDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(item.start.line, item.start.character, item.end.line, item.end.character);
  const severity =
    item.severity === "error"
      ? vscode.DiagnosticSeverity.Error
      : item.severity === "warning"
        ? vscode.DiagnosticSeverity.Warning
        : vscode.DiagnosticSeverity.Information;
  const diagnostic = new vscode.Diagnostic(range, item.message, severity);
  diagnostic.source = "falco-rulec lint";
  diagnostic.code = item.code;
  diagnostic.relatedInformation = item.related.map(
    (related) =>
      new vscode.DiagnosticRelatedInformation(
        new vscode.Location(
          vscode.Uri.file(related.file),
          new vscode.Position(related.position.line, related.position.character),
        ),
        related.message,
      ),
  );
  return diagnostic;
}

/**
 * Runs `falco-rulec test --coverage` on the `falcoRules.coverage.tests` paths and
 * colours the lines of the rules files it loaded (see coverage.ts).
 */
async function showCoverage(context: vscode.ExtensionContext): Promise<void> {
  const found = findBinary(LINTER_NAME, settings().get<string>("lint.path"), discoveryEnv(context));
  if (!found.ok) {
    output.appendLine(`${LINTER_NAME}: ${found.message}; looked at:\n  ${found.searched.join("\n  ")}`);
    void vscode.window.showErrorMessage(`Falco Rules: ${found.message}. Install it or set falcoRules.lint.path.`);
    return;
  }
  const folder = firstWorkspaceFolder();
  const invocation =
    folder === undefined ? undefined : coverageInvocation(settings().get<unknown[]>("coverage.tests"), folder);
  if (invocation === undefined) {
    void vscode.window.showInformationMessage("Falco Rules: open a folder and set falcoRules.coverage.tests to its rule tests.");
    return;
  }
  output.appendLine(`Running ${found.path} ${invocation.args.join(" ")} (in ${invocation.cwd})`);
  const exit = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: "Falco Rules: rule coverage" },
    () =>
      new Promise<ReturnType<typeof interpretTestExit>>((resolve) => {
        execFile(
          found.path,
          invocation.args,
          { cwd: invocation.cwd, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" },
          (error, stdout, stderr) => {
            if (error !== null && typeof error.code === "string") {
              resolve({ ok: false, message: `running ${found.path} failed: ${error.message}` });
              return;
            }
            const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
            resolve(interpretTestExit(code, error?.signal ?? null, stdout, stderr));
          },
        );
      }),
  );
  if (!exit.ok) {
    output.appendLine(exit.message);
    void vscode.window.showErrorMessage(`Falco Rules: ${exit.message.split("\n")[0]}`);
    return;
  }
  try {
    coverageMarks = parseCoverage(exit.stdout, invocation.cwd);
  } catch (error) {
    const message = error instanceof CoverageReportError ? error.message : String(error);
    output.appendLine(message);
    void vscode.window.showErrorMessage(`Falco Rules: ${message}`);
    return;
  }
  decorateEditors();
  const lines = [...coverageMarks.values()].flat();
  const count = (state: LineState): number => lines.filter((mark) => mark.state === state).length;
  void vscode.window.showInformationMessage(
    `Falco Rules coverage: ${count("covered")} lines covered, ${count("partial")} partly, ${count("missed")} not at all.`,
  );
}

/** Puts the coverage marks on the visible editors (none after Hide Rule Coverage). */
function decorateEditors(): void {
  for (const editor of vscode.window.visibleTextEditors) {
    const marks = coverageMarks.get(editor.document.uri.fsPath) ?? [];
    for (const state of ["covered", "partial", "missed"] as const) {
      editor.setDecorations(
        coverageDecorations[state],
        marks
          .filter((mark) => mark.state === state)
          .map((mark) => ({
            range: new vscode.Range(mark.line, 0, mark.line, 0),
            hoverMessage: new vscode.MarkdownString(`**Rule coverage**\n\n${mark.hover}`),
          })),
      );
    }
  }
}
