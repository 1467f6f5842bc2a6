//! Category labels under an x axis: wrapped when they fit, rotated when they do not.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{DrawResult, Root, CHAR_PX, FONT, TEXT_CHAR_PX};

/// Longest category label shown in full; longer ones are cut and end in '…'.
const MAX_LABEL_CHARS: usize = 32;

/// Cuts a label to at most `max` characters, ending it in '…' when cut.
pub(crate) fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// How category labels under an x axis are laid out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum XLabels {
    /// Horizontal, each label wrapped onto one or more lines.
    Wrapped(Vec<Vec<String>>),
    /// Rotated to read bottom to top, shortened to [`MAX_LABEL_CHARS`] plus the note.
    Rotated(Vec<String>),
}

impl XLabels {
    /// Lays out `labels`, each followed by its `note` (e.g. "n=12"): wrapped to fit
    /// `slot_px` pixels on at most three lines with the note on a line of its own, or, when
    /// a label does not fit, every label rotated, shortened and followed by its note in
    /// brackets.
    pub(crate) fn fit(labels: &[String], notes: &[String], slot_px: f64) -> Self {
        let max_chars = ((slot_px - 4.0) / CHAR_PX).floor().max(1.0) as usize;
        let note = |i: usize| notes.get(i).cloned().unwrap_or_default();
        let wrapped: Option<Vec<Vec<String>>> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut lines = wrap(l, max_chars).filter(|lines| lines.len() <= 3)?;
                lines.push(note(i));
                Some(lines)
            })
            .collect();
        match wrapped {
            Some(w) if max_chars >= 5 => XLabels::Wrapped(w),
            _ => XLabels::Rotated(
                labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| format!("{} ({})", shorten(l, MAX_LABEL_CHARS), note(i)))
                    .collect(),
            ),
        }
    }

    /// Height in pixels the labels need below the axis.
    pub(crate) fn height_px(&self) -> u32 {
        let px = match self {
            XLabels::Wrapped(w) => w.iter().map(Vec::len).max().unwrap_or(1) as f64 * 16.0,
            XLabels::Rotated(r) => {
                r.iter().map(|l| l.chars().count()).max().unwrap_or(1) as f64 * TEXT_CHAR_PX
            }
        };
        px.ceil() as u32 + 16
    }

    /// Draws label `i` with its top centred at pixel `(x, y)`.
    pub(crate) fn draw(&self, root: &Root<'_>, i: usize, (x, y): (i32, i32)) -> DrawResult<()> {
        let base = TextStyle::from((FONT, 15)).color(&BLACK);
        match self {
            XLabels::Wrapped(w) => {
                let style = base.pos(Pos::new(HPos::Center, VPos::Top));
                for (k, line) in w.get(i).into_iter().flatten().enumerate() {
                    root.draw(&Text::new(line.clone(), (x, y + 16 * k as i32), &style))?;
                }
                Ok(())
            }
            XLabels::Rotated(r) => {
                let style = base
                    .transform(FontTransform::Rotate270)
                    .pos(Pos::new(HPos::Right, VPos::Center));
                let label = r.get(i).cloned().unwrap_or_default();
                root.draw(&Text::new(label, (x, y), &style))
            }
        }
    }
}

/// Greedy word wrap to lines of at most `max` characters; `None` if a word is longer.
fn wrap(text: &str, max: usize) -> Option<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if n > max {
            return None;
        }
        if !line.is_empty() && line.chars().count() + 1 + n > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces() {
        let w = wrap("P2RX7 inhibitor high dose", 10);
        assert_eq!(
            w,
            Some(vec!["P2RX7".into(), "inhibitor".into(), "high dose".into()])
        );
        assert_eq!(wrap("anti-miR-25/92a", 10), None);
        assert_eq!(wrap("", 10), Some(vec![String::new()]));
    }

    #[test]
    fn labels_wrap_when_they_fit_and_rotate_otherwise() {
        let notes = ["n=3".to_string(), "n=0".to_string()];
        let short = ["young".to_string(), "aged donor".to_string()];
        let fit = XLabels::fit(&short, &notes, 100.0);
        let want = vec![
            vec!["young".into(), "n=3".into()],
            vec!["aged donor".into(), "n=0".into()],
        ];
        assert_eq!(fit, XLabels::Wrapped(want));
        assert_eq!(fit.height_px(), 2 * 16 + 16);
        let long = ["a".repeat(40), "b".to_string()];
        match XLabels::fit(&long, &notes, 100.0) {
            XLabels::Rotated(r) => {
                assert_eq!(r[0], format!("{}… (n=3)", "a".repeat(31)));
                assert_eq!(r[1], "b (n=0)");
            }
            other => panic!("expected rotated labels, got {other:?}"),
        }
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcd", 3), "ab…");
    }
}
