//! Property tests: no panics on any input, and the printer's output parses back to
//! the same text. Each no-panic input also runs within the test budget
//! (`falco_test_budget::bounded`: time and memory).

use falco_test_budget::bounded;
use proptest::prelude::*;

use crate::{parse_condition, parse_output, to_falco_string};

/// Text made of the grammar's own pieces, so the parser is driven deep.
fn soupy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("a.b"),
        Just("proc.name"),
        Just("m"),
        Just(" and "),
        Just(" or "),
        Just("not "),
        Just("not("),
        Just("("),
        Just(")"),
        Just("["),
        Just("]"),
        Just("\""),
        Just("'"),
        Just("\\"),
        Just(","),
        Just(" "),
        Just("="),
        Just("!="),
        Just("<="),
        Just(" in "),
        Just(" contains "),
        Just(" exists"),
        Just(" oneof "),
        Just("tolower("),
        Just("val("),
        Just("join("),
        Just("%"),
        Just("é"),
        Just("0x1f"),
        Just("-1.5e+3"),
        Just("\n"),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

fn check_spans(text: &str) {
    let (_, errors) = parse_condition(text);
    for e in errors {
        assert!(
            e.span.start <= e.span.end && e.span.end as usize <= text.len(),
            "{e:?}"
        );
        assert!(text.is_char_boundary(e.span.start as usize), "{e:?}");
        assert!(text.is_char_boundary(e.span.end as usize), "{e:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(falco_test_budget::cases(1500)))]

    #[test]
    fn never_panics_on_grammar_soup(text in soupy()) {
        bounded(format!("{text:?}"), || {
            check_spans(&text);
            let (output, errors) = parse_output(&text);
            for e in errors {
                prop_assert!(e.span.end as usize <= text.len());
            }
            drop(output);
            Ok(())
        })?;
    }

    #[test]
    fn never_panics_on_any_text(text in any::<String>()) {
        bounded(format!("{text:?}"), || {
            check_spans(&text);
            let _ = parse_output(&text);
        });
    }

    #[test]
    fn printed_conditions_parse_back(text in soupy()) {
        let (expr, errors) = parse_condition(&text);
        if errors.is_empty() {
            let printed = to_falco_string(&expr);
            let (again, errors) = parse_condition(&printed);
            // Values with `(`, `)` or `,` print unquoted (as in libsinsp), so only
            // the printed forms that parse are compared.
            if errors.is_empty() {
                prop_assert_eq!(to_falco_string(&again), printed);
            }
        }
    }
}
