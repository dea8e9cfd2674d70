import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { FILENAME_PATTERNS } from "../../src/rulesFiles";
import { GLOB_SETTINGS, RESTART_SETTINGS } from "../../src/clientConfig";

// The manifest and the code must agree: settings read by the code are declared, the
// built-in globs are the language's file patterns, and every declared command exists.
const root = path.resolve(__dirname, "../../..");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const extensionSource = fs.readFileSync(path.join(root, "src/extension.ts"), "utf8");

test("the shared list's patterns are the language's filenamePatterns", () => {
  const language = manifest.contributes.languages.find((l: { id: string }) => l.id === "falco-rules");
  assert.deepEqual(language.filenamePatterns, [...FILENAME_PATTERNS]);
});

test("every setting the code reads is declared", () => {
  const declared = Object.keys(manifest.contributes.configuration.properties);
  const read = [...extensionSource.matchAll(/get<[^>]+>\("([^"]+)"\)/g)].map((m) => `falcoRules.${m[1]}`);
  assert.ok(read.length >= 4, `found ${read.length} settings reads`);
  for (const key of [...read, ...RESTART_SETTINGS, ...GLOB_SETTINGS]) {
    assert.ok(declared.includes(key), `${key} is not declared in package.json`);
  }
});

test("every declared command is registered, and the other way round", () => {
  const declared = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
  const registered = [...extensionSource.matchAll(/registerCommand\("([^"]+)"/g)].map((m) => m[1]).sort();
  assert.deepEqual(registered, declared);
});

test("grammar and snippet files named in the manifest exist and parse", () => {
  const files = [
    manifest.contributes.languages[0].configuration,
    ...manifest.contributes.grammars.map((g: { path: string }) => g.path),
    ...manifest.contributes.snippets.map((s: { path: string }) => s.path),
  ];
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    assert.doesNotThrow(() => JSON.parse(text), file);
  }
});
