import { strict as assert } from "node:assert";
import { test } from "node:test";
import { interpretExit, lintInvocation } from "../../src/lintInvocation";

test("a config file: --config, run in its directory", () => {
  assert.deepEqual(lintInvocation({ kind: "config", configFile: "/ws/etc/falco.yaml" }), {
    args: ["lint", "--format", "json", "--config", "/ws/etc/falco.yaml"],
    cwd: "/ws/etc",
  });
});

test("workspace files: sorted, deduplicated, after --", () => {
  const invocation = lintInvocation({
    kind: "files",
    files: ["/ws/z_rules.yaml", "/ws/a_rules.yaml", "/ws/z_rules.yaml", "/ws/-odd_rules.yaml"],
    workspaceFolder: "/ws",
  });
  assert.deepEqual(invocation, {
    args: ["lint", "--format", "json", "--", "/ws/-odd_rules.yaml", "/ws/a_rules.yaml", "/ws/z_rules.yaml"],
    cwd: "/ws",
  });
});

test("no files: nothing to run", () => {
  assert.equal(lintInvocation({ kind: "files", files: [], workspaceFolder: "/ws" }), undefined);
});

test("exit codes 0 and 1 carry a report; 2 and signals are errors with stderr", () => {
  assert.deepEqual(interpretExit(0, null, "{}", ""), { ok: true, stdout: "{}" });
  assert.deepEqual(interpretExit(1, null, "{}", "ignored"), { ok: true, stdout: "{}" });
  assert.deepEqual(interpretExit(2, null, "", "error: cannot read `x`\n"), {
    ok: false,
    message: "falco-rulec could not lint: error: cannot read `x`",
  });
  assert.deepEqual(interpretExit(null, "SIGKILL", "", ""), { ok: false, message: "falco-rulec was stopped by SIGKILL" });
  assert.deepEqual(interpretExit(101, null, "", "panic"), { ok: false, message: "falco-rulec exited with status 101: panic" });
});
