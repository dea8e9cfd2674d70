/**
 * Which files are Falco rules files: the built-in patterns plus the
 * `falcoRules.files.extraGlobs` setting.
 *
 * A pattern without `/` matches a file's name anywhere (`*_rules.yaml`), like VS Code's
 * `files.associations`; a pattern with `/` matches the path relative to a workspace folder
 * (`rules/**\/*.yaml`), or the absolute path when the pattern itself is absolute. Supported
 * syntax: `*`, `**`, `?`, `{a,b}` and `[...]` classes.
 *
 * Plain Node code (no `vscode` import), so the unit tests run without an editor.
 */

/** The patterns the extension's language contribution declares (package.json). */
export const BUILTIN_GLOBS: readonly string[] = [
  "*_rules.yaml",
  "*_rules.yml",
  "*.falco.yaml",
  "*.falco.yml",
];

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
  return [...new Set(parts)];
}
