import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import {
  LintReportError,
  charColumnToUtf16,
  diskLineLookup,
  parseLintReport,
  summaryLine,
} from "../../src/lintReport";

// Sources, not build output: out/test/unit → test/unit/fixtures.
const fixtures = path.resolve(__dirname, "../../../test/unit/fixtures");
const readFixture = (name: string): string => fs.readFileSync(path.join(fixtures, name), "utf8");
const noLines = (): string | undefined => undefined;

test("character columns become UTF-16 columns", () => {
  assert.equal(charColumnToUtf16("abc", 1), 0);
  assert.equal(charColumnToUtf16("abc", 3), 2);
  assert.equal(charColumnToUtf16("abc", 4), 3);
  assert.equal(charColumnToUtf16("é🎉x", 3), 3);
  assert.equal(charColumnToUtf16("é🎉x", 4), 4);
  assert.equal(charColumnToUtf16("ab", 6), 5, "past the end stays past the end");
  assert.equal(charColumnToUtf16(undefined, 7), 6);
});

test("a real falco-rulec report maps onto the file's UTF-16 positions", () => {
  // unicode_rules.lint.json is `falco-rulec lint --format json unicode_rules.yaml`, run in fixtures/.
  const result = parseLintReport(
    readFixture("unicode_rules.lint.json"),
    fixtures,
    diskLineLookup((file) => fs.readFileSync(file, "utf8")),
  );
  const file = path.join(fixtures, "unicode_rules.yaml");
  assert.deepEqual([...result.byFile.keys()], [file]);
  const diagnostics = result.byFile.get(file) ?? [];
  assert.equal(diagnostics.length, 6);
  assert.deepEqual(result.summary, { files: 1, rules: 1, macros: 1, lists: 0, errors: 4, warnings: 2 });

  const output = diagnostics.find((d) => d.code === "E502");
  assert.ok(output);
  // `  output: "héllo 🎉 %proc.nam"`: the field starts at character 21, UTF-16 unit 21.
  assert.deepEqual(output.start, { line: 6, character: 21 });
  assert.deepEqual(output.end, { line: 6, character: 29 });
  assert.equal(output.severity, "error");
  assert.equal(output.message, "unknown field `proc.nam` in output\nhelp: did you mean `proc.name`?");
  const lineText = readFixture("unicode_rules.yaml").split("\n")[6];
  assert.equal(lineText.slice(output.start.character, output.end.character), "proc.nam");

  const unused = diagnostics.find((d) => d.code === "W201");
  assert.ok(unused);
  assert.equal(unused.severity, "warning");
  assert.deepEqual(unused.start, { line: 0, character: 9 });
});

test("related locations, info severity, absolute paths kept; version 2 notes are read past", () => {
  const report = {
    version: 2,
    diagnostics: [
      {
        code: "W999",
        severity: "info",
        message: "m",
        file: "/abs/x_rules.yaml",
        line: 2,
        column: 3,
        end_line: 2,
        end_column: 5,
        help: null,
        notes: ["a note"],
        related: [{ message: "defined here", file: "other_rules.yaml", line: 9, column: 1 }],
      },
    ],
    summary: { files: 2, rules: 0, macros: 1, lists: 0, errors: 0, warnings: 0 },
  };
  const result = parseLintReport(JSON.stringify(report), "/base", noLines);
  const [diagnostic] = result.byFile.get("/abs/x_rules.yaml") ?? [];
  assert.equal(diagnostic.severity, "information");
  assert.deepEqual(diagnostic.related, [
    { file: "/base/other_rules.yaml", position: { line: 8, character: 0 }, message: "defined here" },
  ]);
});

test("anything but contract versions 1 and 2 is refused with the reason", () => {
  const cases: [string, RegExp][] = [
    ["not json", /not JSON/],
    ["[]", /document: not an object/],
    ['{"version": 3, "diagnostics": [], "summary": {}}', /version 3 is not a supported version \(1, 2\)/],
    ['{"version": 1, "diagnostics": {}, "summary": {}}', /`diagnostics` is not an array/],
    [
      '{"version": 1, "diagnostics": [{"code": "E1"}], "summary": {"files":0,"rules":0,"macros":0,"lists":0,"errors":0,"warnings":0}}',
      /diagnostics\[0\]: `severity` is not a string/,
    ],
    [
      '{"version": 1, "diagnostics": [{"code":"E1","severity":"fatal","message":"m","file":"f","line":1,"column":1,"end_line":1,"end_column":2,"help":null,"related":[]}], "summary": {"files":0,"rules":0,"macros":0,"lists":0,"errors":0,"warnings":0}}',
      /unknown severity `fatal`/,
    ],
    [
      '{"version": 1, "diagnostics": [{"code":"E1","severity":"error","message":"m","file":"f","line":0,"column":1,"end_line":1,"end_column":2,"help":null,"related":[]}], "summary": {"files":0,"rules":0,"macros":0,"lists":0,"errors":0,"warnings":0}}',
      /`line` is not a positive integer/,
    ],
    ['{"version": 1, "diagnostics": [], "summary": {"files": -1}}', /summary: `files` is not a count/],
  ];
  for (const [text, expected] of cases) {
    assert.throws(() => parseLintReport(text, "/", noLines), (error: unknown) => {
      assert.ok(error instanceof LintReportError, `${text}: ${String(error)}`);
      assert.match(error.message, expected);
      return true;
    });
  }
});

test("the summary line counts with plurals", () => {
  assert.equal(
    summaryLine({ files: 1, rules: 2, macros: 1, lists: 0, errors: 1, warnings: 3 }),
    "1 file, 2 rules, 1 macro, 0 lists: 1 error, 3 warnings",
  );
});

test("the disk lookup reads a file once and survives unreadable files", () => {
  let reads = 0;
  const lookup = diskLineLookup((file) => {
    reads++;
    if (file === "/missing") {
      throw new Error("ENOENT");
    }
    return "a\r\nb\n";
  });
  assert.equal(lookup("/f", 0), "a");
  assert.equal(lookup("/f", 1), "b");
  assert.equal(lookup("/f", 5), undefined);
  assert.equal(lookup("/missing", 0), undefined);
  assert.equal(lookup("/missing", 0), undefined);
  assert.equal(reads, 2);
});
