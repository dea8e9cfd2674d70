//! Semantic tokens for conditions and outputs: fields, operators, macros, lists,
//! strings and numbers, read from the parsed trees of the analysis.

use falco_condition::ast::{Expr, Operand, OutputPart, Str, Value};
use falco_condition::visit::{walk_check_operands, walk_exprs};
use falco_span::{FileId, FileSpan, Span, TextMap};
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenType, SemanticTokens, SemanticTokensLegend, Uri,
};

use crate::convert::to_lsp_position;
use crate::locate::{all_list_uses, conditions, exact_file_span};
use crate::workspace::World;

/// Token types, in legend order.
const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::PROPERTY,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::MACRO,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
];

const FIELD: u32 = 0;
const OPERATOR: u32 = 1;
const MACRO: u32 = 2;
const LIST: u32 = 3;
const STRING: u32 = 4;
const NUMBER: u32 = 5;

/// The legend announced in the server's capabilities.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: Vec::new(),
    }
}

/// Collects tokens of one text (a condition or an output) that land in `file`.
struct Collector<'a, 'w> {
    world: &'a World<'w>,
    file: FileId,
    tokens: Vec<(Span, u32)>,
}

impl Collector<'_, '_> {
    fn add(&mut self, text: &str, map: &TextMap, span: Span, kind: u32) {
        if let Some(mapped) = exact_file_span(self.world, text, map, span) {
            self.add_file(mapped, kind);
        }
    }

    fn add_file(&mut self, span: FileSpan, kind: u32) {
        if span.file == self.file && !span.span.is_empty() {
            self.tokens.push((span.span, kind));
        }
    }

    fn add_value(&mut self, text: &str, map: &TextMap, value: &Str) {
        let numeric = value.quote.is_none() && value.value.parse::<f64>().is_ok();
        self.add(text, map, value.span, if numeric { NUMBER } else { STRING });
    }

    fn add_operand(&mut self, text: &str, map: &TextMap, operand: &Operand) {
        match operand {
            Operand::Field(field) => self.add(text, map, field.span, FIELD),
            Operand::Literal(value) => self.add_value(text, map, value),
            Operand::Transform(_) | Operand::List(..) | Operand::Error(_) => {}
        }
    }

    fn add_expr(&mut self, text: &str, map: &TextMap, expr: &Expr) {
        walk_exprs(expr, &mut |node| match node {
            Expr::Macro(ident) => self.add(text, map, ident.span, MACRO),
            Expr::Check(check) => {
                walk_check_operands(check, &mut |operand| self.add_operand(text, map, operand));
                self.add(text, map, check.op.span, OPERATOR);
                match &check.right {
                    Some(Value::Str(value)) => self.add_value(text, map, value),
                    Some(Value::List(values, _)) => {
                        for value in values {
                            self.add_value(text, map, value);
                        }
                    }
                    Some(Value::ListRef(ident)) => self.add(text, map, ident.span, LIST),
                    Some(Value::Operand(_)) | None => {}
                }
            }
            _ => {}
        });
    }
}

/// Every token of a document, encoded as LSP wants.
pub fn semantic_tokens(world: &World<'_>, uri: &Uri) -> Option<SemanticTokens> {
    let (id, file) = world.file_of(uri)?;
    let ruleset = &world.analysis.ruleset;
    let mut collector = Collector {
        world,
        file: id,
        tokens: Vec::new(),
    };
    for (condition, _) in conditions(ruleset) {
        let expanded = &condition.expanded;
        collector.add_expr(&expanded.text, &expanded.map, &condition.ast);
    }
    for rule in &ruleset.rules {
        for part in &rule.output_ast.parts {
            if let OutputPart::Field { span, .. } = part {
                collector.add(&rule.output.text, &rule.output.map, *span, FIELD);
            }
        }
    }
    for (_, span) in all_list_uses(ruleset) {
        collector.add_file(span, LIST);
    }
    let mut tokens = collector.tokens;
    tokens.sort_by_key(|(span, _)| (span.start, span.end));
    let mut data = Vec::with_capacity(tokens.len());
    let (mut last_line, mut last_start, mut covered) = (0, 0, 0);
    for (span, kind) in tokens {
        if span.start < covered {
            continue;
        }
        let start = to_lsp_position(file, span.start);
        let end = to_lsp_position(file, span.end);
        if start.line != end.line {
            continue;
        }
        covered = span.end;
        let delta_line = start.line - last_line;
        let delta_start = if delta_line == 0 {
            start.character - last_start
        } else {
            start.character
        };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length: end.character - start.character,
            token_type: kind,
            token_modifiers_bitset: 0,
        });
        last_line = start.line;
        last_start = start.character;
    }
    Some(SemanticTokens {
        result_id: None,
        data,
    })
}
