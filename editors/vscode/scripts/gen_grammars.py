#!/usr/bin/env python3
"""Generates the TextMate grammars in syntaxes/ (the JSON files are committed).

The grammars are written here, as Python data, because their regular expressions are
far easier to read and to share (operator lists, field shape) than as escaped JSON.
Edit this file, then run `python3 scripts/gen_grammars.py`; `--check` (run by
scripts/ci.sh when python3 is present) fails if the committed JSON is out of date.
"""
import json
import pathlib
import re
import sys

# Operators, modifiers and transformers come from the schema's one table of them
# (rules-stdlib/schema/operators.json, checked against the condition parser's by the
# workspace test `operators`), so the grammars follow when the language grows.
SCHEMA = json.loads(
    (pathlib.Path(__file__).resolve().parents[3] / "rules-stdlib/schema/operators.json")
    .read_text(encoding="utf-8"))
TRANSFORMERS = "|".join(t["name"] for t in SCHEMA["transformers"])
WORD_OPS = "|".join(op for op in SCHEMA["operators"] if op.isalpha() and op in SCHEMA["modifier_ops"])
LIST_OPS = "|".join(SCHEMA["list_ops"])
UNARY_OPS = "|".join(op for op in SCHEMA["operators"]
                     if op.isalpha() and op not in SCHEMA["modifier_ops"] and op not in SCHEMA["list_ops"])
MODIFIERS = "|".join(SCHEMA["modifiers"])
# Longest first, so `<=` is not read as `<`.
SYMBOL_OPS = "|".join(re.escape(op) for op in sorted(
    (op for op in SCHEMA["operators"] if not op.isalpha()), key=len, reverse=True))
FIELD = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+"
NUM_END = r"(?![\w.:/\-])"

cond = {
  "name": "Falco condition",
  "scopeName": "source.falco-condition",
  "comment": "Falco rule conditions (the filter language): fields, operators, transformers, macros, literals. Embedded by source.falco-rules.",
  "patterns": [{"include": "#expression"}],
  "repository": {
    "expression": {"patterns": [
      {"include": "#string"},
      {"include": "#value-list"},
      {"include": "#comparison"},
      {"include": "#unary-operator"},
      {"include": "#modifier"},
      {"include": "#logical"},
      {"include": "#transformer"},
      {"include": "#field"},
      {"include": "#number"},
      {"include": "#macro"},
      {"include": "#parens"},
      {"include": "#comma"}
    ]},
    "string": {"patterns": [
      {"name": "string.quoted.double.falco", "begin": "\"", "end": "\"",
       "beginCaptures": {"0": {"name": "punctuation.definition.string.begin.falco"}},
       "endCaptures": {"0": {"name": "punctuation.definition.string.end.falco"}},
       "patterns": [{"include": "#escape"}]},
      {"name": "string.quoted.single.falco", "begin": "'", "end": "'",
       "beginCaptures": {"0": {"name": "punctuation.definition.string.begin.falco"}},
       "endCaptures": {"0": {"name": "punctuation.definition.string.end.falco"}},
       "patterns": [{"include": "#escape"}]}
    ]},
    "escape": {"patterns": [
      {"name": "constant.character.escape.falco", "match": r"\\(?:x[0-9A-Fa-f]{2}|[bfnrt\\/\"'])"},
      {"name": "invalid.illegal.escape.falco", "match": r"\\."}
    ]},
    "value-list": {
      "comment": "in (a, b), intersects (...), pmatch (...), and modifier lists: the items are values or list names",
      "name": "meta.value-list.falco",
      "begin": rf"\b(?:({LIST_OPS})|({MODIFIERS}))\s*(\()",
      "beginCaptures": {
        "1": {"name": "keyword.operator.word.falco"},
        "2": {"name": "keyword.operator.modifier.falco"},
        "3": {"name": "punctuation.section.parens.begin.falco"}},
      "end": r"\)",
      "endCaptures": {"0": {"name": "punctuation.section.parens.end.falco"}},
      "patterns": [
        {"include": "#string"},
        {"include": "#comma"},
        {"name": "constant.numeric.falco", "match": rf"(?<![\w.])-?\d+(?:\.\d+)?{NUM_END}"},
        {"name": "string.unquoted.value.falco", "match": r"[^\s,()\"']+"}
      ]
    },
    "comparison": {
      "comment": "A binary operator and, when it is a bare word, path or number, its right-hand value",
      "match": rf"(?:({SYMBOL_OPS})|\b({WORD_OPS})\b)(?:\s*(?!(?:{TRANSFORMERS}|{MODIFIERS})\s*\()(?:(-?\d+(?:\.\d+)?){NUM_END}|(?!(?:and|or|not){NUM_END})([^\s()\"',]+)))?",
      "captures": {
        "1": {"name": "keyword.operator.comparison.falco"},
        "2": {"name": "keyword.operator.word.falco"},
        "3": {"name": "constant.numeric.falco"},
        "4": {"name": "string.unquoted.value.falco"}}
    },
    "unary-operator": {"name": "keyword.operator.word.falco", "match": rf"\b(?:{UNARY_OPS})\b"},
    "modifier": {"name": "keyword.operator.modifier.falco", "match": rf"\b(?:{MODIFIERS})\b"},
    "logical": {"name": "keyword.operator.logical.falco", "match": r"\b(?:and|or|not)\b"},
    "transformer": {
      "match": rf"\b({TRANSFORMERS})\s*(?=\()",
      "captures": {"1": {"name": "support.function.transformer.falco"}}
    },
    "field": {
      "match": rf"(?<![\w.%])({FIELD})(?:(\[)([^\]]*)(\]))?",
      "captures": {
        "1": {"name": "variable.other.field.falco"},
        "2": {"name": "punctuation.section.brackets.begin.falco"},
        "3": {"name": "variable.parameter.field-argument.falco"},
        "4": {"name": "punctuation.section.brackets.end.falco"}}
    },
    "number": {"name": "constant.numeric.falco", "match": rf"(?<![\w.])-?\d+(?:\.\d+)?{NUM_END}"},
    "macro": {"name": "entity.name.function.macro.falco", "match": r"(?<![\w.])[A-Za-z_][A-Za-z0-9_]*(?![\w.\[(])"},
    "parens": {"patterns": [
      {"name": "punctuation.section.parens.begin.falco", "match": r"\("},
      {"name": "punctuation.section.parens.end.falco", "match": r"\)"}
    ]},
    "comma": {"name": "punctuation.separator.comma.falco", "match": ","}
  }
}

# ---------------------------------------------------------------- rules files
KEY_END = r"^(?!\1\s|\1-(?:\s|$)|\s*$)"  # a line indented no deeper than the key (a '- ' entry at the key's indent still belongs)
BLOCK_END = r"^(?!\1\s|\s*$)"            # block scalars: only deeper lines belong
PRIORITIES = r"EMERGENCY|ALERT|CRITICAL|ERROR|WARNING|NOTICE|INFORMATIONAL|INFO|DEBUG"

def key_caps(key_group=2, colon_group=3):
    return {str(key_group): {"name": "entity.name.tag.yaml"},
            str(colon_group): {"name": "punctuation.separator.key-value.mapping.yaml"}}

def embedded(key, content_name, content_include, quoted_patterns):
    """A `key:` whose value (inline, quoted or block scalar, continued on deeper lines) is in another language."""
    return {
      "name": f"meta.key.{key}.falco",
      "begin": rf"^(\s*)({key})\s*(:)(?=\s|$)",
      "beginCaptures": key_caps(),
      "end": BLOCK_END,
      "contentName": content_name,
      "patterns": [
        {"include": "#block-header"},
        {"name": "string.quoted.double.yaml", "begin": r"\G\s*(\")", "end": r"\"",
         "beginCaptures": {"1": {"name": "punctuation.definition.string.begin.yaml"}},
         "endCaptures": {"0": {"name": "punctuation.definition.string.end.yaml"}},
         "patterns": [{"name": "constant.character.escape.yaml", "match": r"\\[\"\\]"}] + quoted_patterns},
        {"name": "string.quoted.single.yaml", "begin": r"\G\s*(')", "end": r"'(?!')",
         "beginCaptures": {"1": {"name": "punctuation.definition.string.begin.yaml"}},
         "endCaptures": {"0": {"name": "punctuation.definition.string.end.yaml"}},
         "patterns": [{"name": "constant.character.escape.yaml", "match": "''"}] + quoted_patterns},
        {"include": content_include}
      ]
    }

def seq_key(key, name, value_patterns, entries_first=False):
    """A `key:` holding a flow or block sequence whose entries get their own scopes."""
    return {
      "name": name,
      "begin": rf"^(\s*)({key})\s*(:)(?=\s|$)",
      "beginCaptures": key_caps(),
      "end": KEY_END,
      "patterns": [{"include": "#comment"}]
        + (value_patterns + [{"include": "#sequence-punctuation"}] if entries_first
           else [{"include": "#sequence-punctuation"}] + value_patterns)
    }

rules = {
  "name": "Falco rules",
  "scopeName": "source.falco-rules",
  "comment": "Falco rules files: the YAML structure, with conditions and outputs highlighted as their own languages.",
  "patterns": [
    {"include": "#comment"},
    {"include": "#document-marker"},
    {"include": "#item"},
    {"include": "#condition"},
    {"include": "#output"},
    {"include": "#exceptions"},
    {"include": "#items"},
    {"include": "#override"},
    {"include": "#priority"},
    {"include": "#block-scalar"},
    {"include": "#constant-value"},
    {"include": "#key"},
    {"include": "#flow"}
  ],
  "repository": {
    "comment": {"match": r"(?:^|(?<=\s))(#).*$", "name": "comment.line.number-sign.yaml",
                "captures": {"1": {"name": "punctuation.definition.comment.yaml"}}},
    "document-marker": {"match": r"^(?:---|\.\.\.)(?=\s|$)", "name": "entity.other.document.yaml"},
    "block-header": {
      "match": r"\G\s*([|>])([1-9]?[-+]?|[-+][1-9]?)\s*(#.*)?$",
      "captures": {"1": {"name": "keyword.control.flow.block-scalar.yaml"},
                   "2": {"name": "storage.modifier.chomping-indicator.yaml"},
                   "3": {"name": "comment.line.number-sign.yaml"}}},
    "item": {"patterns": [
      {"match": r"^(\s*)(-)\s+(rule)\s*(:)(?:\s+(.*?))?(?=\s+#|\s*$)",
       "captures": {"2": {"name": "punctuation.definition.block.sequence.item.yaml"},
                    "3": {"name": "keyword.other.item.rule.falco"},
                    "4": {"name": "punctuation.separator.key-value.mapping.yaml"},
                    "5": {"name": "entity.name.type.rule.falco"}}},
      {"match": r"^(\s*)(-)\s+(macro)\s*(:)(?:\s+(.*?))?(?=\s+#|\s*$)",
       "captures": {"2": {"name": "punctuation.definition.block.sequence.item.yaml"},
                    "3": {"name": "keyword.other.item.macro.falco"},
                    "4": {"name": "punctuation.separator.key-value.mapping.yaml"},
                    "5": {"name": "entity.name.function.macro.falco"}}},
      {"match": r"^(\s*)(-)\s+(list)\s*(:)(?:\s+(.*?))?(?=\s+#|\s*$)",
       "captures": {"2": {"name": "punctuation.definition.block.sequence.item.yaml"},
                    "3": {"name": "keyword.other.item.list.falco"},
                    "4": {"name": "punctuation.separator.key-value.mapping.yaml"},
                    "5": {"name": "entity.name.type.list.falco"}}}
    ]},
    "condition": embedded("condition", "meta.embedded.condition.falco", "source.falco-condition",
                          [{"include": "source.falco-condition"}]),
    "output": embedded("output", "meta.embedded.output.falco", "#output-text", [{"include": "#output-text"}]),
    "output-text": {
      "comment": "%field, %field[arg] and %(field) in an output; the rest is literal text",
      "patterns": [
        {"match": rf"(%)(\()({FIELD})(?:(\[)([^\]]*)(\]))?(\))",
         "captures": {"1": {"name": "punctuation.definition.variable.falco"},
                      "2": {"name": "punctuation.section.parens.begin.falco"},
                      "3": {"name": "variable.other.field.output.falco"},
                      "4": {"name": "punctuation.section.brackets.begin.falco"},
                      "5": {"name": "variable.parameter.field-argument.falco"},
                      "6": {"name": "punctuation.section.brackets.end.falco"},
                      "7": {"name": "punctuation.section.parens.end.falco"}}},
        {"match": rf"(%)({FIELD})(?:(\[)([^\]]*)(\]))?",
         "captures": {"1": {"name": "punctuation.definition.variable.falco"},
                      "2": {"name": "variable.other.field.output.falco"},
                      "3": {"name": "punctuation.section.brackets.begin.falco"},
                      "4": {"name": "variable.parameter.field-argument.falco"},
                      "5": {"name": "punctuation.section.brackets.end.falco"}}},
        {"match": r"[^%]+|%", "name": "string.unquoted.output.falco"}
      ]
    },
    "exceptions": seq_key("exceptions", "meta.key.exceptions.falco", [{"include": "#exception-entry"}], entries_first=True),
    "exception-entry": {"patterns": [
      {"match": r"^(\s*)(?:(-)\s+)?(name)\s*(:)\s*(.*?)(?=\s+#|\s*$)",
       "captures": {"2": {"name": "punctuation.definition.block.sequence.item.yaml"},
                    "3": {"name": "entity.name.tag.yaml"},
                    "4": {"name": "punctuation.separator.key-value.mapping.yaml"},
                    "5": {"name": "entity.name.exception.falco"}}},
      seq_key("fields", "meta.key.fields.falco", [{"include": "#exception-field"}]),
      seq_key("comps", "meta.key.comps.falco", [{"include": "#exception-comp"}]),
      seq_key("values", "meta.key.values.falco", [{"include": "#list-value"}]),
      {"include": "#key"}
    ]},
    "exception-field": {
      "match": rf"(?<![\w.])({FIELD})(?:(\[)([^\]]*)(\]))?",
      "captures": {"1": {"name": "variable.other.field.falco"},
                   "2": {"name": "punctuation.section.brackets.begin.falco"},
                   "3": {"name": "variable.parameter.field-argument.falco"},
                   "4": {"name": "punctuation.section.brackets.end.falco"}}},
    "exception-comp": {"patterns": [
      {"name": "keyword.operator.comparison.falco", "match": SYMBOL_OPS},
      {"name": "keyword.operator.word.falco", "match": rf"\b(?:{WORD_OPS}|{LIST_OPS}|{UNARY_OPS})\b"},
      {"name": "keyword.operator.modifier.falco", "match": rf"\b(?:{MODIFIERS})\b"}
    ]},
    "items": seq_key("items", "meta.key.items.falco", [{"include": "#list-value"}]),
    "list-value": {"patterns": [
      {"include": "#quoted"},
      {"name": "constant.numeric.yaml", "match": rf"(?<![^\s\[,])-?\d+(?:\.\d+)?(?=\s*[,\]]|\s*$)"},
      {"name": "string.unquoted.value.falco", "match": r"[^\s,\[\]{}#'\"][^\s,\[\]{}]*"}
    ]},
    "override": {
      "name": "meta.key.override.falco",
      "begin": r"^(\s*)(override)\s*(:)(?=\s|$)",
      "beginCaptures": key_caps(),
      "end": KEY_END,
      "patterns": [
        {"include": "#comment"},
        {"match": r"([A-Za-z_]\w*)\s*(:)\s*(append|replace)\b",
         "captures": {"1": {"name": "entity.name.tag.yaml"},
                      "2": {"name": "punctuation.separator.key-value.mapping.yaml"},
                      "3": {"name": "keyword.other.override.falco"}}},
        {"include": "#flow"}
      ]
    },
    "priority": {
      "match": rf"^(\s*)(priority)\s*(:)\s+(?i:({PRIORITIES}))(?=\s+#|\s*$)",
      "captures": {"2": {"name": "entity.name.tag.yaml"},
                   "3": {"name": "punctuation.separator.key-value.mapping.yaml"},
                   "4": {"name": "constant.language.priority.falco"}}},
    "block-scalar": {
      "comment": "Any other key with a | or > block scalar (desc: >): its lines are text",
      "begin": r"^(\s*)(?:(-)\s+)?([A-Za-z_][\w.-]*)\s*(:)\s+([|>])([1-9]?[-+]?|[-+][1-9]?)\s*(#.*)?$",
      "beginCaptures": {"2": {"name": "punctuation.definition.block.sequence.item.yaml"},
                        "3": {"name": "entity.name.tag.yaml"},
                        "4": {"name": "punctuation.separator.key-value.mapping.yaml"},
                        "5": {"name": "keyword.control.flow.block-scalar.yaml"},
                        "6": {"name": "storage.modifier.chomping-indicator.yaml"},
                        "7": {"name": "comment.line.number-sign.yaml"}},
      "end": BLOCK_END,
      "contentName": "string.unquoted.block.yaml"
    },
    "constant-value": {
      "match": r"^(\s*)(?:(-)\s+)?([A-Za-z_][\w.-]*)\s*(:)\s+(?:(true|false|True|False|TRUE|FALSE)|(null|Null|NULL|~)|(-?\d+(?:\.\d+)*))(?=\s+#|\s*$)",
      "captures": {"2": {"name": "punctuation.definition.block.sequence.item.yaml"},
                   "3": {"name": "entity.name.tag.yaml"},
                   "4": {"name": "punctuation.separator.key-value.mapping.yaml"},
                   "5": {"name": "constant.language.boolean.yaml"},
                   "6": {"name": "constant.language.null.yaml"},
                   "7": {"name": "constant.numeric.yaml"}}},
    "key": {
      "comment": "key: plain value (a quoted or flow value is left to #flow)",
      "match": r"^(\s*)(?:(-)\s+)?([A-Za-z_][\w.-]*)\s*(:)(?=\s|$)(?:\s+(?![\[{\"'|>&*!#])(.*?)(?=\s+#|\s*$))?",
      "captures": {"2": {"name": "punctuation.definition.block.sequence.item.yaml"},
                   "3": {"name": "entity.name.tag.yaml"},
                   "4": {"name": "punctuation.separator.key-value.mapping.yaml"},
                   "5": {"name": "string.unquoted.plain.yaml"}}},
    "quoted": {"patterns": [
      {"name": "string.quoted.double.yaml", "begin": "\"", "end": "\"",
       "beginCaptures": {"0": {"name": "punctuation.definition.string.begin.yaml"}},
       "endCaptures": {"0": {"name": "punctuation.definition.string.end.yaml"}},
       "patterns": [{"name": "constant.character.escape.yaml", "match": r"\\."}]},
      {"name": "string.quoted.single.yaml", "begin": "'", "end": "'(?!')",
       "beginCaptures": {"0": {"name": "punctuation.definition.string.begin.yaml"}},
       "endCaptures": {"0": {"name": "punctuation.definition.string.end.yaml"}},
       "patterns": [{"name": "constant.character.escape.yaml", "match": "''"}]}
    ]},
    "sequence-punctuation": {"patterns": [
      {"match": r"^\s*(-)(?=\s|$)", "captures": {"1": {"name": "punctuation.definition.block.sequence.item.yaml"}}},
      {"name": "punctuation.definition.sequence.begin.yaml", "match": r"\["},
      {"name": "punctuation.definition.sequence.end.yaml", "match": r"\]"},
      {"name": "punctuation.separator.sequence.yaml", "match": ","}
    ]},
    "flow": {"patterns": [
      {"include": "#quoted"},
      {"include": "#sequence-punctuation"},
      {"name": "punctuation.definition.mapping.begin.yaml", "match": r"\{"},
      {"name": "punctuation.definition.mapping.end.yaml", "match": r"\}"},
      {"name": "constant.numeric.yaml", "match": rf"(?<![^\s\[,{{])-?\d+(?:\.\d+)?(?=\s*[,\]}}]|\s*$)"},
      {"name": "string.unquoted.plain.yaml", "match": r"[^\s,\[\]{}#'\"][^\s,\[\]{}]*"}
    ]}
  }
}


def main() -> int:
    syntaxes = pathlib.Path(__file__).resolve().parent.parent / "syntaxes"
    check = sys.argv[1:] == ["--check"]
    stale = []
    for name, grammar in (("falco-condition", cond), ("falco-rules", rules)):
        path = syntaxes / f"{name}.tmLanguage.json"
        text = json.dumps(grammar, indent=2, ensure_ascii=False) + "\n"
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date (run python3 scripts/gen_grammars.py):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
