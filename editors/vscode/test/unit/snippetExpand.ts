/**
 * Expands a VS Code snippet body the way accepting every default would: `${1:text}` gives
 * its text (placeholders nest), `${2|a,b|}` its first choice, `$2`/`${2}` repeat tab stop
 * 2, `$0` and unknown variables give nothing, `\$`, `\}` and `\\` are literal.
 * Test support only: the snippet tests write the expansions for the linter.
 */
export function expandSnippet(body: string): string {
  const values = new Map<string, string>();
  const [text, end] = expand(body, 0, false, values);
  if (end !== body.length) {
    throw new Error(`unbalanced \`}\` at offset ${end}`);
  }
  return text;
}

function expand(body: string, start: number, inBraces: boolean, values: Map<string, string>): [string, number] {
  let out = "";
  let i = start;
  while (i < body.length) {
    const ch = body[i];
    if (ch === "\\" && i + 1 < body.length && "$}\\".includes(body[i + 1])) {
      out += body[i + 1];
      i += 2;
    } else if (ch === "}" && inBraces) {
      return [out, i];
    } else if (ch === "$") {
      const simple = /^\$(\d+|[A-Za-z_]\w*)/.exec(body.slice(i));
      if (simple !== null) {
        out += values.get(simple[1]) ?? "";
        i += simple[0].length;
        continue;
      }
      const braced = /^\$\{(\d+|[A-Za-z_]\w*)([:|}])/.exec(body.slice(i));
      if (braced === null) {
        throw new Error(`a lone \`$\` at offset ${i}`);
      }
      const [whole, name, kind] = braced;
      i += whole.length;
      if (kind === "}") {
        out += values.get(name) ?? "";
      } else if (kind === ":") {
        const [inner, close] = expand(body, i, true, values);
        values.set(name, inner);
        out += inner;
        i = close + 1;
      } else {
        const close = body.indexOf("|}", i);
        if (close < 0) {
          throw new Error(`choice \`${name}\` is not closed`);
        }
        const first = body.slice(i, close).split(",")[0];
        values.set(name, first);
        out += first;
        i = close + 2;
      }
    } else {
      out += ch;
      i++;
    }
  }
  if (inBraces) {
    throw new Error("a placeholder is not closed");
  }
  return [out, i];
}
