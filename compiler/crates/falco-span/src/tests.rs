use super::*;

#[test]
fn positions_count_characters_and_lines() {
    let text = "ab\nçd\r\nxyz";
    let index = LineIndex::new(text);
    assert_eq!(index.position(text, 0), Position { line: 1, column: 1 });
    assert_eq!(index.position(text, 3), Position { line: 2, column: 1 });
    // 'd' is after a two-byte character: byte 5, column 2.
    assert_eq!(index.position(text, 5), Position { line: 2, column: 2 });
    assert_eq!(index.position(text, 8), Position { line: 3, column: 1 });
    assert_eq!(index.position(text, 99), Position { line: 3, column: 4 });
}

#[test]
fn a_lone_carriage_return_ends_a_line_as_in_yaml() {
    let text = "a\rb\r\nc\n\rd";
    let index = LineIndex::new(text);
    assert_eq!(index.line_count(), 5);
    assert_eq!(index.position(text, 2), Position { line: 2, column: 1 });
    assert_eq!(index.position(text, 5), Position { line: 3, column: 1 });
    assert_eq!(index.position(text, 7), Position { line: 4, column: 1 });
    assert_eq!(index.position(text, 8), Position { line: 5, column: 1 });
    // A column past the end stops before the line break, whichever it is.
    assert_eq!(index.offset_of_utf16(text, 0, 9), 1);
    assert_eq!(index.offset_of_utf16(text, 1, 9), 3);
    assert_eq!(index.offset_of_utf16(text, 3, 9), 7);
    assert_eq!(next_line_start(text, 0), Some(2));
    assert_eq!(next_line_start(text, 2), Some(5));
    assert_eq!(next_line_start(text, 8), None);
}

#[test]
fn utf16_round_trip() {
    let text = "a😀b\nc";
    let index = LineIndex::new(text);
    let b = text.find('b').unwrap() as u32;
    assert_eq!(index.utf16_position(text, b), (0, 3));
    assert_eq!(index.offset_of_utf16(text, 0, 3), b);
    assert_eq!(index.offset_of_utf16(text, 0, 99), 6);
    assert_eq!(index.offset_of_utf16(text, 1, 0), 7);
}

#[test]
fn linear_runs_map_each_byte() {
    let file = FileId(0);
    let mut text = MappedText::new();
    text.push_linear("proc.name", file, 100);
    text.push_collapsed(" ", FileSpan::new(file, Span::new(109, 112)));
    text.push_linear("= bash", file, 112);
    assert_eq!(text.text, "proc.name = bash");
    assert_eq!(
        text.to_file(Span::new(0, 4)),
        Some(FileSpan::new(file, Span::new(100, 104)))
    );
    assert_eq!(
        text.to_file(Span::new(12, 16)),
        Some(FileSpan::new(file, Span::new(114, 118)))
    );
    assert_eq!(
        text.to_file(Span::new(5, 14)),
        Some(FileSpan::new(file, Span::new(105, 116)))
    );
    assert_eq!(text.map.file_to_text(file, 114), Some(12));
}

#[test]
fn collapsed_runs_map_to_their_origin() {
    let file = FileId(0);
    let mut text = MappedText::new();
    text.push_linear("x in (", file, 0);
    text.push_collapsed("a, b, c", FileSpan::new(file, Span::new(6, 10)));
    text.push_linear(")", file, 10);
    assert_eq!(
        text.to_file(Span::new(9, 10)),
        Some(FileSpan::new(file, Span::new(6, 10)))
    );
    assert_eq!(
        text.to_file(Span::new(6, 14)),
        Some(FileSpan::new(file, Span::new(6, 11)))
    );
}

#[test]
fn spans_across_files_stop_at_the_first_file() {
    let mut text = MappedText::new();
    text.push_linear("a = 1", FileId(0), 10);
    text.push_collapsed(" ", FileSpan::new(FileId(1), Span::new(0, 0)));
    text.push_linear("and b = 2", FileId(1), 40);
    let span = text.to_file(Span::new(0, text.text.len() as u32)).unwrap();
    assert_eq!(span, FileSpan::new(FileId(0), Span::new(10, 15)));
}

#[test]
fn slices_keep_their_mapping() {
    let file = FileId(3);
    let mut text = MappedText::new();
    text.push_linear("abc", file, 10);
    text.push_collapsed("XY", FileSpan::new(file, Span::new(20, 22)));
    text.push_linear("def", file, 30);
    let slice = text.slice(Span::new(2, 6));
    assert_eq!(slice.text, "cXYd");
    assert_eq!(
        slice.to_file(Span::new(0, 1)),
        Some(FileSpan::new(file, Span::new(12, 13)))
    );
    assert_eq!(
        slice.to_file(Span::new(3, 4)),
        Some(FileSpan::new(file, Span::new(30, 31)))
    );
    let mut joined = MappedText::new();
    joined.push_mapped(&slice);
    assert_eq!(joined, slice);
}

/// A text of linear and collapsed runs from two files, for the splice tests.
fn mixed_text() -> MappedText {
    let mut text = MappedText::new();
    text.push_linear("evt.type = open", FileId(0), 10);
    text.push_collapsed(" and ", FileSpan::new(FileId(0), Span::new(40, 43)));
    text.push_linear("fd.name in (a, b)", FileId(1), 0);
    text.push_collapsed("\"x y\"", FileSpan::new(FileId(1), Span::new(70, 75)));
    text.push_linear(" or proc.name = sh", FileId(0), 200);
    text
}

/// `to_file` of the spans of up to four bytes from every offset of `text`, and of
/// each suffix.
fn mapping_of(text: &MappedText) -> Vec<Option<FileSpan>> {
    let len = text.text.len() as u32;
    let mut out = Vec::new();
    for start in 0..=len {
        for end in start..=len.min(start + 4) {
            out.push(text.to_file(Span::new(start, end)));
        }
        out.push(text.to_file(Span::new(start, len)));
    }
    out
}

#[test]
fn splice_equals_assembling_the_pieces() {
    let base = mixed_text();
    let mut replacement = MappedText::new();
    replacement.push_collapsed(" ", FileSpan::new(FileId(2), Span::new(5, 9)));
    replacement.push_linear("item", FileId(2), 30);
    let len = base.text.len() as u32;
    for start in 0..=len {
        for end in start..=len {
            for insert in [&MappedText::new(), &replacement] {
                let mut expected = base.slice(Span::new(0, start));
                expected.push_mapped(insert);
                expected.push_mapped(&base.slice(Span::new(end, len)));
                let mut spliced = base.clone();
                spliced.splice(Span::new(start, end), insert);
                assert_eq!(spliced.text, expected.text, "splice {start}..{end}");
                assert_eq!(
                    mapping_of(&spliced),
                    mapping_of(&expected),
                    "splice {start}..{end} of {:?}",
                    insert.text
                );
            }
        }
    }
}

#[test]
fn spans_move_both_ways_without_wrapping() {
    assert_eq!(Span::new(10, 20).moved(5), Span::new(15, 25));
    assert_eq!(Span::new(10, 20).moved(-10), Span::new(0, 10));
    assert_eq!(Span::new(10, 20).moved(-15), Span::new(0, 5));
    assert_eq!(Span::new(10, u32::MAX).moved(1), Span::new(11, u32::MAX));
}

#[test]
fn moved_origins_equal_building_at_the_new_place() {
    let file = FileId(0);
    let build = |base: u32| {
        let mut text = MappedText::new();
        text.push_linear("proc.name", file, base);
        text.push_collapsed(" ", FileSpan::new(file, Span::new(base + 9, base + 12)));
        text.push_linear("= x", file, base + 12);
        text
    };
    let mut moved = build(100);
    moved.map.move_origins(-40);
    assert_eq!(moved, build(60));
    moved.map.move_origins(40);
    assert_eq!(moved, build(100));
}

#[test]
fn common_ends_of_an_edit() {
    assert_eq!(common_ends(b"abcdef", b"abXdef"), (2, 3));
    assert_eq!(common_ends(b"aaaa", b"aaaaaa"), (4, 0));
    assert_eq!(common_ends(b"", b"x"), (0, 0));
    let long = "x".repeat(300);
    assert_eq!(
        common_ends(
            format!("{long}a{long}").as_bytes(),
            format!("{long}{long}").as_bytes()
        ),
        (300, 300)
    );
}

proptest::proptest! {
    /// An edited index equals indexing the edited text afresh.
    #[test]
    fn edited_line_index_equals_a_new_one(
        old in "[a\n\r é]{0,200}",
        at in 0usize..220,
        delete in 0usize..40,
        insert in "[a\n\r é]{0,20}",
    ) {
        let mut start = at.min(old.len());
        while !old.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + delete).min(old.len());
        while !old.is_char_boundary(end) {
            end -= 1;
        }
        let mut new = old.clone();
        new.replace_range(start..end, &insert);
        proptest::prop_assert_eq!(LineIndex::new(&old).edited(&new, &FileEdit::between(FileId(0), &old, &new)), LineIndex::new(&new));
    }
}

#[test]
fn an_edit_keeps_spans_before_it_moves_those_after_and_drops_those_touching_it() {
    let file = FileId(1);
    let edit = FileEdit::between(file, "aaa bbb ccc", "aaa bXXXXb ccc");
    assert_eq!((edit.start, edit.old_end, edit.new_end), (5, 6, 9));
    let at = |start, end| FileSpan::new(file, Span::new(start, end));
    assert_eq!(edit.map(at(0, 3)), Some(at(0, 3)));
    assert_eq!(edit.map(at(8, 11)), Some(at(11, 14)));
    assert_eq!(edit.map(at(4, 7)), None);
    assert_eq!(edit.map(at(0, 5)), None);
    assert_eq!(edit.map(at(6, 7)), None);
    let other = FileSpan::new(FileId(0), Span::new(4, 7));
    assert_eq!(edit.map(other), Some(other));

    let mut text = MappedText::new();
    text.push_linear("aaa", file, 0);
    text.push_collapsed(", ", at(3, 3));
    text.push_linear("ccc", file, 8);
    let mut moved = text.clone();
    assert!(moved.map.edited(&edit));
    let mut expected = MappedText::new();
    expected.push_linear("aaa", file, 0);
    expected.push_collapsed(", ", at(3, 3));
    expected.push_linear("ccc", file, 11);
    assert_eq!(moved, expected);
    text.push_linear("b", file, 5);
    assert!(!text.map.edited(&edit));
}

proptest::proptest! {
    /// Scanning to the line gives the offsets the whole-text index gives, lone `\r`
    /// line ends included (the language server converts edits by scanning).
    #[test]
    fn scanned_utf16_offsets_equal_the_line_index(
        text in "([a-z\\n\\r]|é|😀){0,40}",
        line in 0u32..12,
        column in 0u32..12,
    ) {
        let index = LineIndex::new(&text);
        proptest::prop_assert_eq!(
            offset_of_utf16(&text, line, column),
            index.offset_of_utf16(&text, line, column)
        );
    }
}
