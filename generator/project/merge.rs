//! Three-way merge of text files, line by line: `base` is what specgen wrote last time,
//! `ours` the file as the user has it now, `theirs` what specgen writes this time.
//!
//! The algorithm is diff3 (Khanna, Kunal and Pierce): lines of `base` that both sides kept
//! are stable anchors; between two anchors each side either left `base` alone, changed it,
//! or both changed it. One side's change is taken as is; the same change on both sides is
//! taken once; different changes are a conflict, written with git's conflict markers so
//! every editor and merge tool knows what to do with them.
//!
//! One policy departs from plain diff3, because it is what a user of a generator wants: when
//! the new output *drops* lines the user had edited (the spec lost an operation whose stub the
//! user filled in), the user's lines are kept without a conflict and reported, rather than
//! deleted or fenced in markers. Their code is never lost, and the project's report tells
//! them it now serves nothing.

use similar::{Algorithm, DiffOp, capture_diff_slices};

/// The markers, as git writes them.
pub const OURS_MARKER: &str = "<<<<<<<";
pub const SEPARATOR_MARKER: &str = "=======";
pub const THEIRS_MARKER: &str = ">>>>>>>";

/// The result of a merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub text: String,
    /// How many conflicts the text carries, in markers.
    pub conflicts: usize,
    /// 1-based line ranges (in `text`) of user edits kept although the new output removed
    /// the lines they were made to.
    pub kept_removed: Vec<(usize, usize)>,
}

impl Merged {
    pub fn is_clean(&self) -> bool {
        self.conflicts == 0
    }
}

/// What the conflict markers say each side is.
#[derive(Debug, Clone, Copy)]
pub struct Labels<'a> {
    pub ours: &'a str,
    pub theirs: &'a str,
}

impl Default for Labels<'_> {
    fn default() -> Self {
        Self {
            ours: "yours",
            theirs: "specgen",
        }
    }
}

/// Merges `ours` and `theirs`, two descendants of `base`.
pub fn merge(base: &str, ours: &str, theirs: &str, labels: Labels<'_>) -> Merged {
    let base_lines = lines(base);
    let our_lines = lines(ours);
    let their_lines = lines(theirs);
    let in_ours = matches(&keys(&base_lines), &keys(&our_lines));
    let in_theirs = matches(&keys(&base_lines), &keys(&their_lines));

    let mut out = Output::default();
    let (mut b, mut o, mut t) = (0, 0, 0);
    for anchor in 0..=base_lines.len() {
        // The end of all three texts is the last anchor.
        let (end_o, end_t) = if anchor == base_lines.len() {
            (our_lines.len(), their_lines.len())
        } else {
            match (in_ours[anchor], in_theirs[anchor]) {
                (Some(mo), Some(mt)) if anchor >= b && mo >= o && mt >= t => (mo, mt),
                _ => continue,
            }
        };
        out.chunk(
            &base_lines[b..anchor],
            &our_lines[o..end_o],
            &their_lines[t..end_t],
            labels,
        );
        if anchor < base_lines.len() {
            // The user's copy of the line, whose ending they may have changed.
            out.push(our_lines[end_o]);
        }
        (b, o, t) = (anchor + 1, end_o + 1, end_t + 1);
    }
    out.finish()
}

#[derive(Default)]
struct Output {
    text: String,
    line: usize,
    conflicts: usize,
    kept_removed: Vec<(usize, usize)>,
    /// The last line pushed had no newline (it was the last line of its file), and another
    /// line follows it after all.
    newline_owed: bool,
}

impl Output {
    fn push(&mut self, line: &str) {
        if std::mem::take(&mut self.newline_owed) {
            self.text.push('\n');
        }
        self.text.push_str(line);
        self.newline_owed = !line.ends_with('\n');
        self.line += 1;
    }

    fn push_all(&mut self, lines: &[&str]) {
        for line in lines {
            self.push(line);
        }
    }

    /// Resolves one unstable chunk: the lines between two anchors on each side.
    fn chunk(&mut self, base: &[&str], ours: &[&str], theirs: &[&str], labels: Labels<'_>) {
        if same(ours, base) {
            self.push_all(theirs);
        } else if same(theirs, base) || same(ours, theirs) {
            self.push_all(ours);
        } else if let Some(spliced) = splice(base, ours, theirs) {
            self.push_all(&spliced);
        } else if theirs.is_empty() {
            // The new output dropped lines the user changed: keep the user's lines.
            let first = self.line + 1;
            self.push_all(ours);
            if self.line >= first {
                self.kept_removed.push((first, self.line));
            }
        } else {
            self.conflicts += 1;
            self.push(&format!("{OURS_MARKER} {}\n", labels.ours));
            self.push_all(ours);
            self.push(&format!("{SEPARATOR_MARKER}\n"));
            self.push_all(theirs);
            self.push(&format!("{THEIRS_MARKER} {}\n", labels.theirs));
        }
    }

    fn finish(self) -> Merged {
        Merged {
            text: self.text,
            conflicts: self.conflicts,
            kept_removed: self.kept_removed,
        }
    }
}

/// Lines with their endings, so a merge reproduces the files byte for byte.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// Two changes that touch without overlapping: one side only added lines right before or
/// after the lines of the chunk (a line of the user's after a signature specgen renamed; a
/// method of theirs where specgen added a stub), the other rewrote the chunk. The additions go
/// around the rewrite. Additions by both sides at the same place keep specgen's first.
fn splice<'a>(base: &[&'a str], ours: &[&'a str], theirs: &[&'a str]) -> Option<Vec<&'a str>> {
    let around = |added: &[&'a str], rewritten: &[&'a str]| -> Option<Vec<&'a str>> {
        if added.len() > base.len() && same(&added[..base.len()], base) {
            Some([rewritten, &added[base.len()..]].concat())
        } else if added.len() > base.len() && same(&added[added.len() - base.len()..], base) {
            Some([&added[..added.len() - base.len()], rewritten].concat())
        } else {
            None
        }
    };
    if base.is_empty() {
        return Some([theirs, ours].concat());
    }
    around(ours, theirs).or_else(|| around(theirs, ours))
}

/// Lines without their endings: what is compared, so that a last line without a newline
/// still matches the same line with one.
fn keys<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    lines
        .iter()
        .map(|line| line.strip_suffix('\n').unwrap_or(line))
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect()
}

fn same(a: &[&str], b: &[&str]) -> bool {
    a.len() == b.len() && keys(a) == keys(b)
}

/// For each line of `base`, the index of the line of `other` it is matched with, if any.
fn matches(base: &[&str], other: &[&str]) -> Vec<Option<usize>> {
    let mut matched = vec![None; base.len()];
    for op in capture_diff_slices(Algorithm::Patience, base, other) {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            for i in 0..len {
                matched[old_index + i] = Some(new_index + i);
            }
        }
    }
    matched
}

/// True when `text` still holds a conflict marker line from a merge.
pub fn has_conflict_markers(text: &str) -> bool {
    let mut open = false;
    for line in text.lines() {
        if line.starts_with(OURS_MARKER) {
            open = true;
        } else if open && line.starts_with(THEIRS_MARKER) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(base: &str, ours: &str, theirs: &str) -> Merged {
        merge(base, ours, theirs, Labels::default())
    }

    #[test]
    fn a_change_on_one_side_only_is_taken() {
        let base = "a\nb\nc\n";
        assert_eq!(merged(base, "a\nB\nc\n", base).text, "a\nB\nc\n");
        assert_eq!(merged(base, base, "a\nb\nc\nd\n").text, "a\nb\nc\nd\n");
    }

    #[test]
    fn changes_in_different_places_are_both_kept() {
        let base = "fn a() {}\n\nfn b() {}\n}\n";
        let ours = "fn a() { mine(); }\n\nfn b() {}\n}\n";
        let theirs = "fn a() {}\n\nfn b() {}\nfn c() {}\n}\n";
        let result = merged(base, ours, theirs);
        assert!(result.is_clean());
        assert_eq!(
            result.text,
            "fn a() { mine(); }\n\nfn b() {}\nfn c() {}\n}\n"
        );
    }

    #[test]
    fn the_same_change_on_both_sides_is_taken_once() {
        let result = merged("a\nb\n", "a\nx\n", "a\nx\n");
        assert_eq!(result.text, "a\nx\n");
        assert!(result.is_clean());
    }

    #[test]
    fn different_changes_to_the_same_lines_conflict_with_git_markers() {
        let result = merged("a\nb\nc\n", "a\nmine\nc\n", "a\nnew\nc\n");
        assert_eq!(result.conflicts, 1);
        assert_eq!(
            result.text,
            "a\n<<<<<<< yours\nmine\n=======\nnew\n>>>>>>> specgen\nc\n"
        );
        assert!(has_conflict_markers(&result.text));
    }

    #[test]
    fn lines_added_next_to_lines_the_other_side_rewrote_go_around_the_rewrite() {
        let base = "fn delete_pet(\n) -> DeletePet {\nbody\n";
        let ours = "fn delete_pet(\n) -> DeletePet {\n    mine();\nbody\n";
        let theirs = "fn remove_pet(\n) -> RemovePet {\nbody\n";
        let result = merged(base, ours, theirs);
        assert!(result.is_clean(), "{}", result.text);
        assert_eq!(
            result.text,
            "fn remove_pet(\n) -> RemovePet {\n    mine();\nbody\n"
        );

        let ours = "// mine\nfn delete_pet(\n) -> DeletePet {\nbody\n";
        let result = merged(base, ours, theirs);
        assert_eq!(
            result.text,
            "// mine\nfn remove_pet(\n) -> RemovePet {\nbody\n"
        );
    }

    #[test]
    fn additions_by_both_sides_at_the_same_place_keep_both_specgens_first() {
        let result = merged(
            "impl {\n}\n",
            "impl {\n    fn mine() {}\n}\n",
            "impl {\n    fn stub() {}\n}\n",
        );
        assert!(result.is_clean());
        assert_eq!(
            result.text,
            "impl {\n    fn stub() {}\n    fn mine() {}\n}\n"
        );
    }

    #[test]
    fn edited_lines_the_new_output_drops_are_kept_and_reported() {
        let base = "keep\nfn gone() { todo!() }\nend\n";
        let ours = "keep\nfn gone() { my_code() }\nend\n";
        let theirs = "keep\nend\n";
        let result = merged(base, ours, theirs);
        assert!(result.is_clean());
        assert_eq!(result.text, ours);
        assert_eq!(result.kept_removed, vec![(2, 2)]);
    }

    #[test]
    fn unedited_lines_the_new_output_drops_are_dropped() {
        let base = "keep\nfn gone() {}\nend\n";
        let result = merged(base, "mine\nkeep\nfn gone() {}\nend\n", "keep\nend\n");
        assert_eq!(result.text, "mine\nkeep\nend\n");
        assert!(result.kept_removed.is_empty());
    }

    #[test]
    fn a_missing_final_newline_does_not_glue_lines_together() {
        let result = merged("a\nb", "a\nb\nmine", "x\na\nb");
        assert_eq!(result.text, "x\na\nb\nmine");
    }
}

/// The merge's promise, on random texts: a line the user wrote never disappears, and neither
/// does one the new output added; one side left alone means the other side's text exactly.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Edits of a base text: each base line kept, dropped or replaced, and new lines (named
    /// `tag` and a number, so they can be found again) inserted anywhere.
    fn edited(base: Vec<String>, tag: &'static str) -> impl Strategy<Value = Vec<String>> {
        let n = base.len();
        (
            proptest::collection::vec(0..4u8, n),
            proptest::collection::vec(proptest::option::weighted(0.2, 0..3u8), n + 1),
        )
            .prop_map(move |(fates, inserts)| {
                let mut out = Vec::new();
                let mut counter = 0;
                let mut insert = |out: &mut Vec<String>, how_many: Option<u8>| {
                    for _ in 0..how_many.unwrap_or(0) {
                        counter += 1;
                        out.push(format!("{tag}{counter}"));
                    }
                };
                for (i, line) in base.iter().enumerate() {
                    insert(&mut out, inserts[i]);
                    match fates[i] {
                        0 => {}                                   // dropped
                        1 => out.push(format!("{line} ({tag})")), // changed
                        _ => out.push(line.clone()),              // kept
                    }
                }
                insert(&mut out, inserts[n]);
                out
            })
    }

    fn text(lines: &[String]) -> String {
        lines.iter().map(|l| format!("{l}\n")).collect()
    }

    fn base_lines() -> impl Strategy<Value = Vec<String>> {
        // A small alphabet: repeated lines, like `}` in code, make matching ambiguous.
        proptest::collection::vec(
            prop_oneof![
                Just("}".to_owned()),
                Just(String::new()),
                (0..12u8).prop_map(|i| format!("line {i}")),
            ],
            0..25,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn no_written_line_is_lost(
            (base, ours, theirs) in base_lines().prop_flat_map(|base| {
                (Just(base.clone()), edited(base.clone(), "user"), edited(base, "gen"))
            })
        ) {
            let merged = merge(&text(&base), &text(&ours), &text(&theirs), Labels::default());
            let out: Vec<&str> = merged.text.lines().collect();
            for line in ours.iter().chain(&theirs) {
                if line.starts_with("user") || line.starts_with("gen") {
                    prop_assert!(out.contains(&line.as_str()), "{line} lost:\n{}", merged.text);
                }
            }
            for line in &ours {
                if line.ends_with("(user)") {
                    prop_assert!(out.contains(&line.as_str()), "{line} lost:\n{}", merged.text);
                }
            }
        }

        #[test]
        fn one_side_untouched_gives_the_other_side(
            (base, other) in base_lines().prop_flat_map(|base| (Just(base.clone()), edited(base, "x")))
        ) {
            let base = text(&base);
            let other = text(&other);
            prop_assert_eq!(&merge(&base, &base, &other, Labels::default()).text, &other);
            prop_assert_eq!(&merge(&base, &other, &base, Labels::default()).text, &other);
        }
    }
}
