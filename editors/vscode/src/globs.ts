/**
 * Which files are Falco rules files: the shared list (`rulesFiles.ts`, generated from
 * `editors/rules-files.json`: file names, YAML files in a `rules.d` folder, and YAML files
 * whose first lines start a rule, macro or list) plus the `falcoRules.files.extraGlobs`
 * setting.
 *
 * A pattern without `/` matches a file's name anywhere (`*_rules.yaml`), like VS Code's
 * `files.associations`; a pattern with `/` matches the path relative to a workspace folder
 * (`rules/**\/*.yaml`), or the absolute path when the pattern itself is absolute. Supported
 * syntax: `*`, `**`, `?`, `{a,b}` and `[...]` classes.
 *
 * Plain Node code (no `vscode` import), so the unit tests run without an editor.
 */

import { NAME_GLOBS, RULES_DIRECTORIES, SNIFF_ITEM_KEYS, SNIFF_MAX_LINES, YAML_EXTENSIONS } from "./rulesFiles";

/** The file-name patterns of the shared list. */
export const BUILTIN_GLOBS: readonly string[] = NAME_GLOBS;

/** One compiled pattern. */
export interface CompiledGlob {
  /** The pattern as written. */
  source: string;
  /** True when the pattern is matched against the file name only. */
  nameOnly: boolean;
  /** The matcher, anchored at both ends. */
  regex: RegExp;
}

/** Compiled patterns, and a message for each pattern that could not be used. */
export interface GlobSet {
  globs: CompiledGlob[];
  errors: string[];
}

/** Turns a glob into an anchored regular expression, or throws with the reason. */
export function globToRegExp(glob: string): RegExp {
  let out = "";
  let braceDepth = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    switch (ch) {
      case "*":
        if (glob[i + 1] === "*") {
          // `**/` matches zero or more whole directories; a trailing `**` anything.
          i++;
          if (glob[i + 1] === "/") {
            i++;
            out += "(?:[^/]*/)*";
          } else {
            out += ".*";
          }
        } else {
          out += "[^/]*";
        }
        break;
      case "?":
        out += "[^/]";
        break;
      case "{":
        braceDepth++;
        out += "(?:";
        break;
      case "}":
        if (braceDepth === 0) {
          throw new Error(`unmatched \`}\` at offset ${i}`);
        }
        braceDepth--;
        out += ")";
        break;
      case ",":
        out += braceDepth > 0 ? "|" : ",";
        break;
      case "[": {
        const close = glob.indexOf("]", i + 2);
        if (close < 0) {
          throw new Error(`unclosed \`[\` at offset ${i}`);
        }
        let body = glob.slice(i + 1, close);
        if (body.startsWith("!")) {
          body = "^" + body.slice(1);
        }
        out += "[" + body.replace(/\\/g, "\\\\") + "]";
        i = close;
        break;
      }
      case "\\":
        // On a POSIX path a backslash escapes the next character.
        if (i + 1 < glob.length) {
          i++;
          out += escapeRegExp(glob[i]);
        } else {
          out += "\\\\";
        }
        break;
      default:
        out += escapeRegExp(ch);
    }
  }
  if (braceDepth !== 0) {
    throw new Error("unclosed `{`");
  }
  return new RegExp(`^${out}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\*?]/g, "\\$&");
}

/** Compiles the built-in patterns followed by `extra`; bad or empty patterns are reported. */
export function compileGlobs(extra: readonly unknown[] | undefined): GlobSet {
  const set: GlobSet = { globs: [], errors: [] };
  const all: unknown[] = [...BUILTIN_GLOBS, ...(extra ?? [])];
  for (const pattern of all) {
    if (typeof pattern !== "string" || pattern.trim() === "") {
      set.errors.push(`ignored the pattern ${JSON.stringify(pattern)}: not a non-empty string`);
      continue;
    }
    const source = pattern.trim().replace(/\\/g, "/");
    try {
      set.globs.push({ source, nameOnly: !source.includes("/"), regex: globToRegExp(source) });
    } catch (error) {
      set.errors.push(`ignored the pattern \`${pattern}\`: ${(error as Error).message}`);
    }
  }
  return set;
}

/** `file` with forward slashes (Windows paths compare like POSIX ones). */
function slashed(file: string): string {
  return file.replace(/\\/g, "/");
}

/**
 * True when `file` (an absolute path) is a Falco rules file according to `set`, given the
 * absolute paths of the workspace folders.
 */
export function isRulesFile(file: string, workspaceFolders: readonly string[], set: GlobSet): boolean {
  const full = slashed(file);
  const name = full.slice(full.lastIndexOf("/") + 1);
  if (inRulesDirectory(full)) {
    return true;
  }
  const relatives = workspaceFolders
    .map((folder) => slashed(folder).replace(/\/+$/, "") + "/")
    .filter((prefix) => full.startsWith(prefix))
    .map((prefix) => full.slice(prefix.length));
  return set.globs.some((glob) => {
    if (glob.nameOnly) {
      return glob.regex.test(name);
    }
    if (glob.source.startsWith("/")) {
      return glob.regex.test(full);
    }
    return relatives.some((relative) => glob.regex.test(relative));
  });
}

/** True when `file` (with forward slashes) is a YAML file directly inside a `rules.d` folder. */
function inRulesDirectory(file: string): boolean {
  const parts = file.split("/");
  const name = parts[parts.length - 1];
  const folder = parts[parts.length - 2];
  const extension = name.includes(".") ? name.slice(name.lastIndexOf(".") + 1) : "";
  return folder !== undefined && RULES_DIRECTORIES.includes(folder) && YAML_EXTENSIONS.includes(extension);
}

/** The YAML file extensions, to tell which documents are worth sniffing. */
export function isYamlFile(file: string): boolean {
  const name = slashed(file);
  const extension = name.slice(name.lastIndexOf(".") + 1);
  return name.includes(".") && YAML_EXTENSIONS.includes(extension);
}

/**
 * True when one of the first lines of a YAML text starts a rule, macro or list item
 * (`- rule: ...` at the start of a line): a rules file whatever its name.
 */
export function sniffRules(text: string): boolean {
  const lines = text.split(/\r?\n|\r/, SNIFF_MAX_LINES);
  return lines.some((line) => {
    const match = /^-[ \t]+([A-Za-z_]+)[ \t]*:/.exec(line);
    return match !== null && SNIFF_ITEM_KEYS.includes(match[1]);
  });
}

/**
 * The globs for workspace file searches (`vscode.workspace.findFiles`, one search per
 * glob, since VS Code globs do not nest braces) that find every rules file: name-only
 * patterns get a `**\/` prefix; absolute ones are left out (a workspace search is
 * relative to its folders).
 */
export function workspaceSearchGlobs(set: GlobSet): string[] {
  const parts = set.globs
    .filter((glob) => !glob.source.startsWith("/"))
    .map((glob) => (glob.nameOnly ? `**/${glob.source}` : glob.source));
  for (const folder of RULES_DIRECTORIES) {
    for (const extension of YAML_EXTENSIONS) {
      parts.push(`**/${folder}/*.${extension}`);
    }
  }
  return [...new Set(parts)];
}
