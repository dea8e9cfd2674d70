// The snippets: well-formed, and expanded with their defaults they make a rules file.
// The expansions are written to out/snippets/ so that the cargo test (tests/it/vscode.rs)
// can run the compiler's analysis on them, after the upstream rules they build on.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { expandSnippet } from "./snippetExpand";

const root = path.resolve(__dirname, "../../..");
const snippets: Record<string, { prefix: string[]; body: string[]; description: string }> = JSON.parse(
  fs.readFileSync(path.join(root, "snippets/falco-rules.code-snippets"), "utf8"),
);

/** A snippet that is a rule's key (exceptions) becomes a rule's last key. */
function asRulesFile(name: string, text: string): string {
  if (text.startsWith("- ")) {
    return text;
  }
  const indented = text
    .split("\n")
    .map((line) => (line === "" ? line : `  ${line}`))
    .join("\n");
  return [
    `- rule: Snippet ${name}`,
    "  desc: holds the snippet",
    "  condition: spawned_process",
    "  output: snippet (command=%proc.cmdline)",
    "  priority: INFO",
    indented,
  ].join("\n");
}

test("the expander follows the snippet syntax", () => {
  assert.equal(expandSnippet("a ${1:x ${2:y}} $2 ${2} ${3|p,q|} $0 \\$ \\}"), "a x y y y p  $ }");
  assert.throws(() => expandSnippet("${1:open"), /not closed/);
  assert.throws(() => expandSnippet("$"), /lone/);
});

test("the snippets cover rule, macro, list, exception and override", () => {
  const prefixes = Object.values(snippets).flatMap((snippet) => snippet.prefix);
  for (const wanted of ["rule", "macro", "list", "exception", "override"]) {
    assert.ok(prefixes.includes(wanted), `no snippet with the prefix ${wanted}`);
  }
  for (const [name, snippet] of Object.entries(snippets)) {
    assert.ok(snippet.description.length > 0, name);
    assert.ok(Array.isArray(snippet.body) && snippet.body.length > 0, name);
  }
});

test("expanded with their defaults, the snippets are rules files (written for the linter)", () => {
  const dir = path.join(root, "out/snippets");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, snippet] of Object.entries(snippets)) {
    const text = asRulesFile(name, expandSnippet(snippet.body.join("\n")));
    assert.doesNotMatch(text, /\$\{|\$\d/, `${name} keeps a placeholder`);
    assert.match(text, /^- (rule|macro|list): \S/, name);
    const file = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "_")}_rules.yaml`;
    fs.writeFileSync(path.join(dir, file), text.endsWith("\n") ? text : `${text}\n`);
  }
  assert.equal(fs.readdirSync(dir).length, Object.keys(snippets).length);
});
