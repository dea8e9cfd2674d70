import { strict as assert } from "node:assert";
import { test } from "node:test";
import { compileGlobs, globToRegExp, isRulesFile, isYamlFile, sniffRules, workspaceSearchGlobs } from "../../src/globs";

test("built-in patterns match rules files by name anywhere", () => {
  const set = compileGlobs([]);
  assert.deepEqual(set.errors, []);
  assert.equal(isRulesFile("/ws/rules/falco_rules.yaml", ["/ws"], set), true);
  assert.equal(isRulesFile("/elsewhere/falco-sandbox_rules.yaml", ["/ws"], set), true);
  assert.equal(isRulesFile("/ws/custom.falco.yml", ["/ws"], set), true);
  assert.equal(isRulesFile("/ws/falco.yaml", ["/ws"], set), false);
  assert.equal(isRulesFile("/ws/deploy/values.yaml", ["/ws"], set), false);
  assert.equal(isRulesFile("/ws/my_rules.yaml.bak", ["/ws"], set), false);
});

test("Falco's own names: falco_rules.local.yaml and the files of rules.d", () => {
  const set = compileGlobs([]);
  assert.equal(isRulesFile("/etc/falco/falco_rules.local.yaml", [], set), true);
  assert.equal(isRulesFile("/etc/falco/rules.d/10-net.yaml", [], set), true);
  assert.equal(isRulesFile("/ws/deploy/rules.d/extra.yml", ["/ws"], set), true);
  assert.equal(isRulesFile("/ws/rules.d/sub/x.yaml", ["/ws"], set), false);
  assert.equal(isRulesFile("/ws/rules.d/README.md", ["/ws"], set), false);
  assert.equal(isRulesFile("/ws/not-rules.d/x.yaml", ["/ws"], set), false);
});

test("sniffing: a rule, macro or list item near the top makes a rules file", () => {
  assert.equal(sniffRules("# header\n- required_engine_version: 26\n\n- macro: m\n  condition: x\n"), true);
  assert.equal(sniffRules("-   list: l\r\n  items: []"), true);
  assert.equal(sniffRules("- rule : r"), true);
  assert.equal(sniffRules("apiVersion: v1\nkind: ConfigMap\n"), false);
  assert.equal(sniffRules("items:\n  - rule: nested\n"), false);
  assert.equal(sniffRules("- rules: r"), false);
  assert.equal(sniffRules("- name: x\n"), false);
  // Only the first lines are read.
  assert.equal(sniffRules("#\n".repeat(200) + "- rule: late\n"), false);
  assert.equal(sniffRules("#\n".repeat(199) + "- rule: in time\n"), true);
  assert.equal(isYamlFile("/ws/a.yml"), true);
  assert.equal(isYamlFile("/ws/a.json"), false);
  assert.equal(isYamlFile("/ws/yaml"), false);
});

test("extra patterns: name-only, relative to a folder, absolute", () => {
  const set = compileGlobs(["custom-*.yaml", "detections/**/*.yaml", "/etc/falco/rules.d/*.yaml"]);
  assert.deepEqual(set.errors, []);
  assert.equal(isRulesFile("/ws/a/custom-net.yaml", ["/ws"], set), true);
  assert.equal(isRulesFile("/ws/detections/x.yaml", ["/ws"], set), true);
  assert.equal(isRulesFile("/ws/detections/k8s/deep/x.yaml", ["/ws"], set), true);
  assert.equal(isRulesFile("/ws/other/detections/x.yaml", ["/ws"], set), false);
  assert.equal(isRulesFile("/ws2/detections/x.yaml", ["/ws", "/ws2/"], set), true);
  assert.equal(isRulesFile("/etc/falco/rules.d/local.yaml", [], set), true);
  assert.equal(isRulesFile("/etc/falco/rules.d/sub/local.yaml", [], set), false);
});

test("Windows paths compare with forward slashes", () => {
  const set = compileGlobs(["detections/*.yaml"]);
  assert.equal(isRulesFile("C:\\ws\\detections\\a.yaml", ["C:\\ws"], set), true);
  assert.equal(isRulesFile("C:\\ws\\x\\falco_rules.yaml", ["C:\\ws"], set), true);
});

test("glob syntax: braces, classes, ?, escapes", () => {
  assert.equal(globToRegExp("*.{yaml,yml}").test("a.yml"), true);
  assert.equal(globToRegExp("*.{yaml,yml}").test("a.json"), false);
  assert.equal(globToRegExp("rule[0-9].yaml").test("rule7.yaml"), true);
  assert.equal(globToRegExp("rule[!0-9].yaml").test("rule7.yaml"), false);
  assert.equal(globToRegExp("r?.yaml").test("r1.yaml"), true);
  assert.equal(globToRegExp("r?.yaml").test("r/.yaml"), false);
  assert.equal(globToRegExp("a+b(c).yaml").test("a+b(c).yaml"), true);
  assert.equal(globToRegExp("**").test("any/thing"), true);
});

test("bad patterns are reported, the good ones still apply", () => {
  const set = compileGlobs(["good_*.yaml", "bad{.yaml", "", 42, "x[.yaml"]);
  assert.equal(set.errors.length, 4);
  assert.match(set.errors[0], /bad\{\.yaml.*unclosed `\{`/);
  assert.equal(isRulesFile("/ws/good_one.yaml", ["/ws"], set), true);
});

test("workspace search globs cover every pattern once, absolute ones left out", () => {
  const set = compileGlobs(["detections/**/*.yaml", "*_rules.yaml", "/abs/*.yaml"]);
  assert.deepEqual(workspaceSearchGlobs(set), [
    "**/*_rules.yaml",
    "**/*_rules.yml",
    "**/falco_rules.local.yaml",
    "**/falco_rules.local.yml",
    "**/*.falco.yaml",
    "**/*.falco.yml",
    "detections/**/*.yaml",
    "**/rules.d/*.yaml",
    "**/rules.d/*.yml",
  ]);
});
