import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { DiscoveryEnv, executableName, findBinary, isExecutableFile, resolveSettingPath } from "../../src/binaryDiscovery";

function env(executables: string[], overrides: Partial<DiscoveryEnv> = {}): DiscoveryEnv {
  const set = new Set(executables);
  return {
    extensionPath: "/ext",
    pathEnv: "/usr/local/bin:/usr/bin",
    platform: "linux",
    homeDir: "/home/me",
    workspaceFolder: "/ws",
    isExecutable: (candidate) => set.has(candidate),
    ...overrides,
  };
}

test("the bundled binary wins over PATH", () => {
  const found = findBinary("falco-rules-lsp", "", env(["/ext/server/falco-rules-lsp", "/usr/bin/falco-rules-lsp"]));
  assert.deepEqual(found, { ok: true, path: "/ext/server/falco-rules-lsp", source: "bundled" });
});

test("without a bundled binary, the first PATH entry that has it", () => {
  const found = findBinary("falco-rules-lsp", undefined, env(["/usr/bin/falco-rules-lsp"]));
  assert.deepEqual(found, { ok: true, path: "/usr/bin/falco-rules-lsp", source: "path" });
});

test("the setting wins over the bundled binary", () => {
  const found = findBinary("falco-rules-lsp", "/opt/lsp", env(["/opt/lsp", "/ext/server/falco-rules-lsp"]));
  assert.deepEqual(found, { ok: true, path: "/opt/lsp", source: "setting" });
});

test("a setting that names no executable fails instead of falling back", () => {
  const found = findBinary("falco-rules-lsp", "/opt/missing", env(["/usr/bin/falco-rules-lsp"]));
  assert.equal(found.ok, false);
  assert.ok(!found.ok && found.message.includes("/opt/missing"));
});

test("nothing found lists every place searched", () => {
  const found = findBinary("falco-rulec", "", env([], { pathEnv: "/a::/b" }));
  assert.deepEqual(found, {
    ok: false,
    message: "`falco-rulec` was found neither bundled with the extension nor on PATH",
    searched: ["/ext/server/falco-rulec", "/a/falco-rulec", "/b/falco-rulec"],
  });
});

test("Windows: .exe suffix and ; separator", () => {
  assert.equal(executableName("falco-rules-lsp", "win32"), "falco-rules-lsp.exe");
  const found = findBinary(
    "falco-rules-lsp",
    "",
    env(["C:\\tools\\falco-rules-lsp.exe"], {
      platform: "win32",
      extensionPath: "C:\\ext",
      pathEnv: "C:\\bin;C:\\tools",
    }),
  );
  assert.deepEqual(found, { ok: true, path: "C:\\tools\\falco-rules-lsp.exe", source: "path" });
});

test("settings expand ~, ${workspaceFolder} and relative paths", () => {
  const e = { homeDir: "/home/me", workspaceFolder: "/ws", platform: "linux" as const };
  assert.deepEqual(resolveSettingPath("~/bin/lsp", e), { ok: true, path: "/home/me/bin/lsp" });
  assert.deepEqual(resolveSettingPath("${workspaceFolder}/falco.yaml", e), { ok: true, path: "/ws/falco.yaml" });
  assert.deepEqual(resolveSettingPath("conf/../falco.yaml", e), { ok: true, path: "/ws/falco.yaml" });
  assert.deepEqual(resolveSettingPath("  ", e), { ok: true, path: undefined });
  const noFolder = resolveSettingPath("falco.yaml", { ...e, workspaceFolder: undefined });
  assert.equal(noFolder.ok, false);
});

test("isExecutableFile checks a real file's mode", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "falco-vscode-"));
  try {
    const exe = path.join(dir, "tool");
    const plain = path.join(dir, "data");
    fs.writeFileSync(exe, "#!/bin/sh\n", { mode: 0o755 });
    fs.writeFileSync(plain, "x", { mode: 0o644 });
    assert.equal(isExecutableFile(exe), true);
    assert.equal(isExecutableFile(dir), false);
    assert.equal(isExecutableFile(path.join(dir, "absent")), false);
    if (process.platform !== "win32" && process.getuid?.() !== 0) {
      // root may execute anything with an x bit; everyone else is refused without one.
      assert.equal(isExecutableFile(plain), false);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
