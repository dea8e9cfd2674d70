// The VS Code glue (src/extension.ts) against a fake `vscode` API and a fake language
// client: what it registers, how it starts the server, and what Lint Workspace puts in
// the Problems panel when it runs a (scripted) falco-rulec.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, test } from "node:test";
import { globToRegExp } from "../../src/globs";

// eslint-style `any` is the price of faking a foreign API; it stays in this file.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Listener = (event: any) => unknown;

interface Doc {
  uri: { fsPath: string; scheme: string };
  languageId: string;
  getText: () => string;
}

class FakeUri {
  constructor(
    public fsPath: string,
    public scheme = "file",
  ) {}
  static file(p: string): FakeUri {
    return new FakeUri(p);
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

class World {
  settings = new Map<string, unknown>();
  workspaceFolder: string;
  textDocuments: Doc[] = [];
  commands = new Map<string, (...args: any[]) => any>();
  listeners = { open: [] as Listener[], change: [] as Listener[], config: [] as Listener[] };
  messages: { kind: string; text: string }[] = [];
  languageChanges: { file: string; language: string }[] = [];
  diagnostics = new Map<string, any[]>();
  clients: { id: string; serverOptions: any; clientOptions: any; started: boolean; stopped: boolean }[] = [];
  /** Open editors, and the decorations set on each: file → decoration type → ranges. */
  visibleEditors: string[] = [];
  decorations = new Map<string, Map<string, any[]>>();

  constructor(workspaceFolder: string) {
    this.workspaceFolder = workspaceFolder;
  }

  vscode(): any {
    const world = this;
    const disposable = { dispose: () => undefined };
    const on = (list: Listener[]) => (listener: Listener) => {
      list.push(listener);
      return disposable;
    };
    // A notification settles only when the user dismisses it: here, never. Code that
    // awaits one would hang (and the test time out).
    const message = (kind: string) => (text: string) => {
      world.messages.push({ kind, text });
      return new Promise<undefined>(() => undefined);
    };
    return {
      Uri: FakeUri,
      Range: class {
        constructor(
          public startLine: number,
          public startCharacter: number,
          public endLine: number,
          public endCharacter: number,
        ) {}
      },
      Position: class {
        constructor(
          public line: number,
          public character: number,
        ) {}
      },
      Location: class {
        constructor(
          public uri: FakeUri,
          public position: unknown,
        ) {}
      },
      Diagnostic: class {
        source?: string;
        code?: string;
        relatedInformation?: unknown[];
        constructor(
          public range: any,
          public message: string,
          public severity: number,
        ) {}
      },
      DiagnosticRelatedInformation: class {
        constructor(
          public location: any,
          public message: string,
        ) {}
      },
      DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
      MarkdownString: class {
        constructor(public value: string) {}
      },
      ProgressLocation: { Window: 10 },
      window: {
        createOutputChannel: () => ({ appendLine: () => undefined, show: () => undefined, dispose: () => undefined }),
        showErrorMessage: message("error"),
        showWarningMessage: message("warning"),
        showInformationMessage: message("info"),
        withProgress: (_options: unknown, task: () => Promise<unknown>) => task(),
        createTextEditorDecorationType: (options: any) => ({ key: options.backgroundColor, dispose: () => undefined }),
        get visibleTextEditors() {
          return world.visibleEditors.map((file) => ({
            document: { uri: FakeUri.file(file) },
            setDecorations: (type: { key: string }, ranges: any[]) => {
              const byType = world.decorations.get(file) ?? new Map<string, any[]>();
              byType.set(type.key, ranges);
              world.decorations.set(file, byType);
            },
          }));
        },
        onDidChangeVisibleTextEditors: () => disposable,
      },
      languages: {
        createDiagnosticCollection: () => ({
          set: (uri: FakeUri, list: any[]) => world.diagnostics.set(uri.fsPath, list),
          delete: (uri: FakeUri) => world.diagnostics.delete(uri.fsPath),
          clear: () => world.diagnostics.clear(),
          dispose: () => undefined,
        }),
        setTextDocumentLanguage: (doc: Doc, language: string) => {
          world.languageChanges.push({ file: doc.uri.fsPath, language });
          return Promise.resolve(doc);
        },
      },
      commands: {
        registerCommand: (id: string, fn: (...args: any[]) => any) => {
          world.commands.set(id, fn);
          return disposable;
        },
        executeCommand: () => Promise.resolve(undefined),
      },
      workspace: {
        get workspaceFolders() {
          return [{ uri: FakeUri.file(world.workspaceFolder) }];
        },
        get textDocuments() {
          return world.textDocuments;
        },
        getConfiguration: (section: string) => ({
          get: (key: string) => world.settings.get(`${section}.${key}`),
        }),
        onDidOpenTextDocument: on(world.listeners.open),
        onDidChangeTextDocument: on(world.listeners.change),
        onDidChangeConfiguration: on(world.listeners.config),
        createFileSystemWatcher: () => disposable,
        findFiles: async (glob: string) => {
          const regex = globToRegExp(glob);
          return walk(world.workspaceFolder)
            .filter((file) => regex.test(path.relative(world.workspaceFolder, file).split(path.sep).join("/")))
            .map((file) => FakeUri.file(file));
        },
      },
    };
  }

  languageClient(): any {
    const world = this;
    class LanguageClient {
      record: World["clients"][number];
      constructor(id: string, _name: string, serverOptions: unknown, clientOptions: unknown) {
        this.record = { id, serverOptions, clientOptions, started: false, stopped: false };
        world.clients.push(this.record);
      }
      async start(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 5));
        this.record.started = true;
      }
      async stop(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 5));
        this.record.stopped = true;
      }
    }
    return { LanguageClient, TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 } };
  }
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

// Module loading: `vscode` and `vscode-languageclient/node` resolve to the fakes, and
// every test gets a fresh copy of the extension module (it keeps state in module scope).
const Module = require("node:module") as any;
const originalLoad = Module._load;
const extensionPath = require.resolve("../../src/extension");
const temporary: string[] = [];

function load(world: World): { activate: (context: unknown) => Promise<void> } {
  Module._load = function (request: string, ...rest: unknown[]) {
    if (request === "vscode") {
      return world.vscode();
    }
    if (request === "vscode-languageclient/node") {
      return world.languageClient();
    }
    return originalLoad.call(this, request, ...rest);
  };
  delete require.cache[extensionPath];
  try {
    return require(extensionPath);
  } finally {
    Module._load = originalLoad;
  }
}

function workspace(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "falco-vscode-ws-"));
  temporary.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text, { mode: name.startsWith("bin/") ? 0o755 : 0o644 });
  }
  return dir;
}

function context(dir: string): unknown {
  return { extensionPath: path.join(dir, "no-extension-here"), subscriptions: [] };
}

function doc(file: string, languageId: string, text = ""): Doc {
  return { uri: FakeUri.file(file), languageId, getText: () => text };
}

afterEach(() => {
  for (const dir of temporary.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const posixOnly = {
  skip: process.platform === "win32" ? "uses shell scripts as fake binaries" : false,
  timeout: 10_000,
};

test("activation registers both commands and starts the server over stdio with the config file", posixOnly, async () => {
  const dir = workspace({ "bin/falco-rules-lsp": "#!/bin/sh\n", "a_rules.yaml": "- list: a\n  items: []\n" });
  const world = new World(dir);
  world.settings.set("falcoRules.server.path", "${workspaceFolder}/bin/falco-rules-lsp");
  world.settings.set("falcoRules.configFile", "falco.yaml");
  world.textDocuments.push(doc(path.join(dir, "a_rules.yaml"), "falco-rules"));
  await load(world).activate(context(dir));

  assert.deepEqual(
    [...world.commands.keys()].sort(),
    ["falcoRules.hideCoverage", "falcoRules.lintWorkspace", "falcoRules.restartServer", "falcoRules.showCoverage"],
  );
  assert.equal(world.clients.length, 1);
  const [client] = world.clients;
  assert.equal(client.started, true);
  assert.deepEqual(client.serverOptions, { command: path.join(dir, "bin/falco-rules-lsp"), args: [], transport: 0 });
  assert.deepEqual(client.clientOptions.initializationOptions, { configFile: path.join(dir, "falco.yaml") });
  assert.deepEqual(client.clientOptions.documentSelector, [
    { language: "falco-rules", scheme: "file" },
    { language: "falco-rules", scheme: "untitled" },
  ]);
  // The configured falco.yaml does not exist: the user is told, the server still starts.
  assert.ok(world.messages.some((m) => m.kind === "warning" && m.text.includes("falco.yaml")));

  await world.commands.get("falcoRules.restartServer")?.();
  assert.equal(world.clients.length, 2);
  assert.equal(world.clients[0].stopped, true);
  assert.equal(world.clients[1].started, true);

  // Two restarts at once (a setting changed twice quickly) leave exactly one server.
  await Promise.all([
    world.commands.get("falcoRules.restartServer")?.(),
    world.commands.get("falcoRules.restartServer")?.(),
  ]);
  assert.equal(world.clients.length, 4);
  assert.deepEqual(
    world.clients.map((c) => c.stopped),
    [true, true, true, false],
  );
});

test("YAML files matching the extra globs become falco-rules; the server waits for the first rules file", { timeout: 10_000 }, async () => {
  const dir = workspace({});
  const world = new World(dir);
  world.settings.set("falcoRules.files.extraGlobs", ["custom-*.yaml"]);
  world.textDocuments.push(
    doc(path.join(dir, "custom-net.yaml"), "yaml"),
    doc(path.join(dir, "deploy.yaml"), "yaml", "apiVersion: v1\nkind: ConfigMap\n"),
    doc(path.join(dir, "rules.d/net.yaml"), "yaml"),
    doc(path.join(dir, "detections.yaml"), "yaml", "# mine\n- macro: m\n  condition: evt.num > 0\n"),
  );
  await load(world).activate(context(dir));

  assert.deepEqual(
    world.languageChanges.map((change) => path.relative(dir, change.file)),
    ["custom-net.yaml", "rules.d/net.yaml", "detections.yaml"],
  );
  assert.ok(world.languageChanges.every((change) => change.language === "falco-rules"));
  assert.equal(world.clients.length, 0, "no server for plain YAML");
  assert.equal(world.messages.length, 0, "and no complaint about a missing server");

  // VS Code reopens the document under its new language: now the server is wanted. It is
  // not installed (no setting, nothing bundled, an empty PATH), which is reported.
  const savedPath = process.env["PATH"];
  process.env["PATH"] = "";
  try {
    for (const listener of world.listeners.open) {
      await listener(doc(path.join(dir, "custom-net.yaml"), "falco-rules"));
    }
  } finally {
    process.env["PATH"] = savedPath;
  }
  assert.equal(world.clients.length, 0);
  assert.ok(world.messages.some((m) => m.kind === "error" && m.text.includes("falco-rules-lsp")));
});

test("a missing server is reported without holding up activation", { timeout: 10_000 }, async () => {
  const dir = workspace({});
  const world = new World(dir);
  world.textDocuments.push(doc(path.join(dir, "x_rules.yaml"), "falco-rules"));
  const savedPath = process.env["PATH"];
  process.env["PATH"] = "";
  try {
    // The error notification never settles (nobody dismisses it); activate must return.
    await load(world).activate(context(dir));
  } finally {
    process.env["PATH"] = savedPath;
  }
  assert.equal(world.clients.length, 0);
  assert.deepEqual(
    world.messages.map((m) => m.kind),
    ["error"],
  );
  assert.match(world.messages[0].text, /falco-rules-lsp.*neither bundled with the extension nor on PATH/);
});

test("Lint Workspace runs falco-rulec on the rules files and fills the Problems panel", posixOnly, async () => {
  // The fake linter records its arguments and prints a report about a_rules.yaml.
  const report = {
    version: 1,
    diagnostics: [
      {
        code: "E203",
        severity: "error",
        message: "undefined macro `spawned_proc`",
        file: "a_rules.yaml",
        line: 3,
        column: 27,
        end_line: 3,
        end_column: 39,
        help: "did you mean `spawned_process`?",
        related: [{ message: "similar name", file: "b_rules.yaml", line: 1, column: 10 }],
      },
    ],
    summary: { files: 2, rules: 1, macros: 1, lists: 0, errors: 1, warnings: 0 },
  };
  const dir = workspace({
    "a_rules.yaml": "- rule: r\n  desc: é\n  condition: évt and 🎉 or spawned_proc\n",
    "sub/b_rules.yaml": "- macro: spawned_process\n",
    "notes.yaml": "not rules\n",
    "bin/falco-rulec": `#!/bin/sh\necho "$@" > "$(dirname "$0")/args"\ncat <<'JSON'\n${JSON.stringify(report)}\nJSON\nexit 1\n`,
  });
  const world = new World(dir);
  world.settings.set("falcoRules.lint.path", path.join(dir, "bin/falco-rulec"));
  await load(world).activate(context(dir));
  await world.commands.get("falcoRules.lintWorkspace")?.();

  const args = fs.readFileSync(path.join(dir, "bin/args"), "utf8").trim();
  assert.equal(args, `lint --format json -- ${path.join(dir, "a_rules.yaml")} ${path.join(dir, "sub/b_rules.yaml")}`);
  const list = world.diagnostics.get(path.join(dir, "a_rules.yaml"));
  assert.ok(list, `diagnostics for a_rules.yaml in ${JSON.stringify([...world.diagnostics.keys()])}`);
  assert.equal(list.length, 1);
  const [diagnostic] = list;
  // Line 3 is `  condition: évt and 🎉 or spawned_proc`: the name starts at character 27
  // (1-based), which is UTF-16 unit 27 (0-based) because the emoji before it counts two.
  assert.deepEqual(
    [diagnostic.range.startLine, diagnostic.range.startCharacter, diagnostic.range.endLine, diagnostic.range.endCharacter],
    [2, 27, 2, 39],
  );
  assert.equal(diagnostic.severity, 0);
  assert.equal(diagnostic.code, "E203");
  assert.equal(diagnostic.source, "falco-rulec lint");
  assert.equal(diagnostic.message, "undefined macro `spawned_proc`\nhelp: did you mean `spawned_process`?");
  assert.equal(diagnostic.relatedInformation[0].location.uri.fsPath, path.join(dir, "b_rules.yaml"));
  assert.ok(world.messages.some((m) => m.kind === "info" && m.text.includes("2 files, 1 rule, 1 macro, 0 lists: 1 error, 0 warnings")));

  // Editing the file drops its (now stale) lint results.
  for (const listener of world.listeners.change) {
    await listener({ document: doc(path.join(dir, "a_rules.yaml"), "falco-rules"), contentChanges: [{}] });
  }
  assert.equal(world.diagnostics.has(path.join(dir, "a_rules.yaml")), false);
});

test("Lint Workspace with a config file uses --config; exit status 2 shows the linter's error", posixOnly, async () => {
  const dir = workspace({
    "etc/falco.yaml": "rules_files: [missing_rules.yaml]\n",
    "bin/falco-rulec": `#!/bin/sh\necho "$PWD $@" > "$(dirname "$0")/args"\necho "error: cannot read \\\`missing_rules.yaml\\\`" >&2\nexit 2\n`,
  });
  const world = new World(dir);
  world.settings.set("falcoRules.lint.path", path.join(dir, "bin/falco-rulec"));
  world.settings.set("falcoRules.configFile", "etc/falco.yaml");
  await load(world).activate(context(dir));
  await world.commands.get("falcoRules.lintWorkspace")?.();

  const args = fs.readFileSync(path.join(dir, "bin/args"), "utf8").trim();
  assert.equal(args, `${path.join(dir, "etc")} lint --format json --config ${path.join(dir, "etc/falco.yaml")}`);
  assert.equal(world.diagnostics.size, 0);
  assert.ok(
    world.messages.some((m) => m.kind === "error" && m.text.includes("could not lint: error: cannot read `missing_rules.yaml`")),
    JSON.stringify(world.messages),
  );
});

test("Show Rule Coverage runs falco-rulec test --coverage and colours the lines of the rules files", posixOnly, async () => {
  // The fake falco-rulec prints the real report of fixtures/coverage_tests.yaml.
  const fixtures = path.resolve(__dirname, "../../../test/unit/fixtures");
  const report = fs.readFileSync(path.join(fixtures, "coverage_tests.report.json"), "utf8");
  const dir = workspace({
    "coverage_rules.yaml": fs.readFileSync(path.join(fixtures, "coverage_rules.yaml"), "utf8"),
    "bin/falco-rulec": `#!/bin/sh\necho "$PWD $@" > "$(dirname "$0")/args"\ncat <<'JSON'\n${report}\nJSON\nexit 0\n`,
  });
  const world = new World(dir);
  world.settings.set("falcoRules.lint.path", path.join(dir, "bin/falco-rulec"));
  world.settings.set("falcoRules.coverage.tests", ["cases"]);
  const rules = path.join(dir, "coverage_rules.yaml");
  world.visibleEditors.push(rules);
  await load(world).activate(context(dir));
  await world.commands.get("falcoRules.showCoverage")?.();

  const args = fs.readFileSync(path.join(dir, "bin/args"), "utf8").trim();
  assert.equal(args, `${dir} test --coverage --format json -- cases`);
  const byType = world.decorations.get(rules);
  assert.ok(byType, JSON.stringify(world.messages));
  const lines = (key: string): number[] =>
    (byType.get(key) ?? []).map((decoration: any) => decoration.range.startLine + 1);
  assert.deepEqual(lines("rgba(40, 160, 60, 0.12)"), [7, 18], "covered");
  assert.deepEqual(lines("rgba(220, 160, 0, 0.18)"), [5, 10, 11, 19], "partial");
  assert.deepEqual(lines("rgba(220, 40, 40, 0.15)"), [21, 23, 27, 29], "missed");
  const hover = (byType.get("rgba(220, 160, 0, 0.18)") ?? [])[1].hoverMessage.value;
  assert.ok(hover.includes("`proc.name in (shells)`: true 2, false 1"), hover);
  assert.ok(world.messages.some((m) => m.kind === "info" && m.text.includes("2 lines covered, 4 partly, 4 not at all")));

  await world.commands.get("falcoRules.hideCoverage")?.();
  assert.deepEqual(lines("rgba(40, 160, 60, 0.12)"), [], "hidden");
});
