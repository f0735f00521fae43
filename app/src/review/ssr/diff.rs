//! The line diff a reviewer reads between two submitted revisions: changed lines with a
//! little context, long unchanged stretches folded into a gap.

use similar::{ChangeTag, TextDiff};

use crate::{
    review::model::{DiffKind, DiffLine},
    uploads::{human_size, Upload},
};

/// Unchanged lines shown around each change.
const CONTEXT: usize = 2;

fn gap() -> DiffLine {
    DiffLine { kind: DiffKind::Gap, text: String::new() }
}

/// The diff of `old` to `new` by lines; empty when they are equal.
pub fn lines(old: &str, new: &str) -> Vec<DiffLine> {
    if old == new {
        return Vec::new();
    }
    let diff = TextDiff::from_lines(old, new);
    let groups = diff.grouped_ops(CONTEXT);
    let mut out = Vec::new();
    for (index, group) in groups.iter().enumerate() {
        if index > 0 || group.first().is_some_and(|op| op.new_range().start > 0) {
            out.push(gap());
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let kind = match change.tag() {
                    ChangeTag::Equal => DiffKind::Same,
                    ChangeTag::Insert => DiffKind::Added,
                    ChangeTag::Delete => DiffKind::Removed,
                };
                out.push(DiffLine { kind, text: change.value().trim_end_matches(['\n', '\r']).to_string() });
            }
        }
    }
    let shown_to = groups.last().and_then(|group| group.last()).map_or(0, |op| op.new_range().end);
    if shown_to < diff.new_slices().len() {
        out.push(gap());
    }
    out
}

/// Which files changed: those only in `old` removed, those only in `new` added (a
/// replaced file is both, even under the same name), the rest unchanged.
pub fn files(old: &[&Upload], new: &[&Upload]) -> Vec<DiffLine> {
    let label = |file: &Upload| format!("{} ({})", file.name, human_size(file.size_bytes.max(0) as u64));
    let has = |list: &[&Upload], file: &Upload| list.iter().any(|other| other.id == file.id);
    if old.len() == new.len() && old.iter().zip(new).all(|(a, b)| a.id == b.id) {
        return Vec::new();
    }
    let removed = old.iter().filter(|file| !has(new, file)).map(|file| (DiffKind::Removed, label(file)));
    let kept_or_added =
        new.iter().map(|file| (if has(old, file) { DiffKind::Same } else { DiffKind::Added }, label(file)));
    removed.chain(kept_or_added).map(|(kind, text)| DiffLine { kind, text }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(lines: &[DiffLine]) -> Vec<String> {
        lines
            .iter()
            .map(|line| {
                let mark = match line.kind {
                    DiffKind::Same => ' ',
                    DiffKind::Added => '+',
                    DiffKind::Removed => '-',
                    DiffKind::Gap => '~',
                };
                format!("{mark}{}", line.text)
            })
            .collect()
    }

    #[test]
    fn equal_texts_have_no_diff() {
        assert!(lines("same\ntext\n", "same\ntext\n").is_empty());
    }

    #[test]
    fn a_changed_line_shows_as_removed_then_added() {
        assert_eq!(render(&lines("one\ntwo\nthree\n", "one\n2\nthree\n")), [" one", "-two", "+2", " three"]);
    }

    #[test]
    fn long_unchanged_stretches_fold_into_gaps() {
        let old: String = (1..=20).map(|n| format!("line {n}\n")).collect();
        let new = old.replace("line 10\n", "line ten\n");
        let out = render(&lines(&old, &new));
        assert_eq!(out, ["~", " line 8", " line 9", "-line 10", "+line ten", " line 11", " line 12", "~"]);
    }

    #[test]
    fn a_title_without_newline_diffs_as_one_line() {
        assert_eq!(render(&lines("Old title", "New title")), ["-Old title", "+New title"]);
    }

    fn file(id: &str, name: &str) -> Upload {
        Upload {
            id: id.into(),
            kind: crate::uploads::UploadKind::Attachment,
            name: name.into(),
            url: String::new(),
            content_type: "application/pdf".into(),
            size_bytes: 1024,
            width: None,
            height: None,
            renditions: Vec::new(),
            card_url: None,
            created_at_ms: 0,
        }
    }

    #[test]
    fn a_replaced_file_shows_as_removed_and_added_even_under_its_old_name() {
        let (a, b, b2) = (file("1", "a.pdf"), file("2", "b.pdf"), file("3", "b.pdf"));
        assert_eq!(render(&files(&[&a, &b], &[&a, &b2])), ["-b.pdf (1 KB)", " a.pdf (1 KB)", "+b.pdf (1 KB)"]);
        assert!(files(&[&a], &[&a]).is_empty());
        assert_eq!(render(&files(&[], &[&a])), ["+a.pdf (1 KB)"]);
    }
}
