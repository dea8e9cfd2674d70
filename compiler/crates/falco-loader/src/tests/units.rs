//! Unit tests of the item readers.

use super::*;

#[test]
fn reads_a_rule() {
    let loaded = load(
        "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: \"out \"\n  priority: INFO\n",
    );
    assert_eq!(codes(&loaded), vec![]);
    let Item::Rule(rule) = &loaded.items[0] else {
        panic!()
    };
    assert_eq!(rule.name.value, "r");
    assert_eq!(rule.output.as_ref().unwrap().text, "out");
    assert_eq!(
        rule.priority.as_ref().unwrap().value,
        Priority::Informational
    );
}
