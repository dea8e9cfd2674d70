import { strict as assert } from "node:assert";
import { test } from "node:test";
import { GLOB_SETTINGS, RESTART_SETTINGS, affectsAny, initializationOptions } from "../../src/clientConfig";

test("initializationOptions carries configFile only when set", () => {
  assert.deepEqual(initializationOptions(undefined), {});
  assert.deepEqual(initializationOptions("/ws/falco.yaml"), { configFile: "/ws/falco.yaml" });
  assert.equal(JSON.stringify(initializationOptions("/ws/falco.yaml")), '{"configFile":"/ws/falco.yaml"}');
});

test("server path and config file changes restart the server; globs do not", () => {
  const changed = (key: string) => (k: string) => k === key;
  assert.equal(affectsAny(changed("falcoRules.server.path"), RESTART_SETTINGS), true);
  assert.equal(affectsAny(changed("falcoRules.configFile"), RESTART_SETTINGS), true);
  assert.equal(affectsAny(changed("falcoRules.files.extraGlobs"), RESTART_SETTINGS), false);
  assert.equal(affectsAny(changed("falcoRules.files.extraGlobs"), GLOB_SETTINGS), true);
  assert.equal(affectsAny(changed("editor.fontSize"), GLOB_SETTINGS), false);
});
