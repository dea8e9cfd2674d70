//! The examples of this stage's code docs (`docs/codes/<CODE>.md`) yield their
//! code when loaded, and their "how to fix" examples do not.

use super::*;

const CODES: &[Code] = &[
    Code::E101,
    Code::E102,
    Code::E103,
    Code::E104,
    Code::E105,
    Code::E106,
    Code::E107,
    Code::E108,
    Code::E109,
    Code::E110,
    Code::W101,
    Code::W102,
    Code::W103,
    Code::W104,
    Code::I101,
    Code::W106,
    Code::W107,
];

#[test]
fn doc_examples_yield_their_code() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../docs/codes");
    for code in CODES {
        let path = dir.join(format!("{}.md", code.as_str()));
        let doc =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            doc.starts_with(&format!("# {}: {}\n", code.as_str(), code.name())),
            "{}: title",
            code.as_str()
        );
        let blocks = falco_diagnostics::yaml_blocks(&doc);
        assert_eq!(
            blocks.len(),
            2,
            "{}: expected an example and a fix",
            code.as_str()
        );
        let example = load(blocks[0]);
        assert!(
            codes(&example).contains(code),
            "{}: example gives {:?}",
            code.as_str(),
            codes(&example)
        );
        let fixed = load(blocks[1]);
        let stage: Vec<Code> = codes(&fixed)
            .into_iter()
            .filter(|c| c.as_str()[1..].starts_with('1'))
            .collect();
        assert!(stage.is_empty(), "{}: fix gives {stage:?}", code.as_str());
    }
}
