//! Display width: CJK characters take two columns; truncation ends with an ellipsis.

use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns `s` takes on screen.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `max` columns; a cut string ends with `…`.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let w = UnicodeWidthChar::width(ch).unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push('…');
    out
}

/// `s` truncated to `cols` and padded with spaces to exactly `cols` columns.
pub fn fit(s: &str, cols: usize) -> String {
    let mut out = truncate(s, cols);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(w)));
    out
}

/// `line` broken into lines of at most `cols` columns, between words where it can. A wide
/// character that would cross the edge starts the next line, so nothing is drawn over a border.
pub fn wrap(line: Line<'static>, cols: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        for word in span.content.split_inclusive(' ') {
            let w = width(word.trim_end());
            if used > 0 && used + w > cols && w <= cols {
                out.push(Line::from(std::mem::take(&mut current)).style(line.style));
                used = 0;
            }
            let mut piece = String::new();
            for ch in word.chars() {
                let cw = UnicodeWidthChar::width(ch).unwrap_or(0);
                if used + cw > cols {
                    if ch == ' ' {
                        continue;
                    }
                    if !piece.is_empty() {
                        current.push(Span::styled(std::mem::take(&mut piece), span.style));
                    }
                    out.push(Line::from(std::mem::take(&mut current)).style(line.style));
                    used = 0;
                }
                if cw > cols {
                    continue;
                }
                piece.push(ch);
                used += cw;
            }
            if !piece.is_empty() {
                current.push(Span::styled(piece, span.style));
            }
        }
    }
    out.push(Line::from(current).style(line.style));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_never_lets_a_wide_character_cross_the_edge() {
        let line = Line::from(vec![
            Span::raw("时限: "),
            Span::raw("签收 ✓ 20:10:01  联系"),
        ]);
        let lines = wrap(line, 9);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(l.width() <= 9, "{l:?}");
        }
        let all: String = lines
            .iter()
            .flat_map(|l| l.spans.iter().map(|s| s.content.to_string()))
            .collect();
        assert_eq!(all.replace(' ', ""), "时限:签收✓20:10:01联系");
        assert!(lines.iter().any(|l| l.to_string().trim() == "20:10:01"));
    }

    #[test]
    fn cjk_counts_two_columns() {
        assert_eq!(width("广中路"), 6);
        assert_eq!(truncate("楼上装修至深夜", 7), "楼上装…");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(fit("噪音", 6), "噪音  ");
        assert_eq!(width(&fit("楼上装修至深夜", 8)), 8);
    }
}
