import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { CoverageReportError, coverageInvocation, interpretTestExit, parseCoverage } from "../../src/coverage";

// Sources, not build output: out/test/unit → test/unit/fixtures.
const fixtures = path.resolve(__dirname, "../../../test/unit/fixtures");

test("a real falco-rulec coverage report marks each line covered, partial or missed", () => {
  // coverage_tests.report.json is `falco-rulec test --coverage --format json
  // coverage_tests.yaml`, run in fixtures/ (compiler/tests/it/coverage.rs checks it is
  // still what falco-rulec prints).
  const marks = parseCoverage(fs.readFileSync(path.join(fixtures, "coverage_tests.report.json"), "utf8"), fixtures);
  const file = path.join(fixtures, "coverage_rules.yaml");
  assert.deepEqual([...marks.keys()], [file]);
  const byLine = new Map((marks.get(file) ?? []).map((mark) => [mark.line + 1, mark]));
  // Lines of coverage_rules.yaml: 5 the macro's check (only true), 7 the rule reached,
  // 10 the macro reference (only true) and `proc.name in (shells)` (both), 11 the
  // negated check (only false), 18 and 19 the exception rows, 21 the rule no test
  // reached and 23 its checks, 27 the disabled rule and 29 its checks.
  assert.deepEqual(
    [...byLine.entries()].map(([line, mark]) => `${line} ${mark.state}`),
    ["5 partial", "7 covered", "10 partial", "11 partial", "18 covered", "19 partial", "21 missed", "23 missed", "27 missed", "29 missed"],
  );
  assert.equal(
    byLine.get(10)?.hover,
    "- macro `spawned`: true 3, false 0\n- `proc.name in (shells)`: true 2, false 1",
  );
  assert.equal(byLine.get(18)?.hover, "- exception row `- [tmux, alice]`: true 1, false 1");
  assert.equal(byLine.get(7)?.hover, "- rule `shell spawned`: evaluated 3 times, matched 1");
  assert.equal(byLine.get(27)?.hover, "- rule `never on`: not reached by any test (disabled)");
  assert.equal(byLine.get(23)?.hover, "- `evt.type = openat`: never evaluated\n- `fd.name = /etc/shadow`: never evaluated");
});

test("a report without coverage or not JSON is an error", () => {
  assert.throws(() => parseCoverage("not json", "/ws"), CoverageReportError);
  assert.throws(() => parseCoverage('{"version": 1, "files": []}', "/ws"), /no coverage/);
});

test("the invocation runs the configured test paths in the workspace folder", () => {
  assert.deepEqual(coverageInvocation(["tests", 3, "", "more/cases.yaml"], "/ws"), {
    args: ["test", "--coverage", "--format", "json", "--", "tests", "more/cases.yaml"],
    cwd: "/ws",
  });
  assert.equal(coverageInvocation([], "/ws"), undefined);
  assert.equal(coverageInvocation(undefined, "/ws"), undefined);
});

test("exit codes 0 and 1 carry a report; 2 is an error with stderr", () => {
  assert.deepEqual(interpretTestExit(1, null, "{}", ""), { ok: true, stdout: "{}" });
  assert.deepEqual(interpretTestExit(2, null, "", "error: cannot read `tests`\n"), {
    ok: false,
    message: "falco-rulec could not run the tests: error: cannot read `tests`",
  });
  assert.deepEqual(interpretTestExit(null, "SIGKILL", "", ""), { ok: false, message: "falco-rulec was stopped by SIGKILL" });
});
