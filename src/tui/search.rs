//! Finding a responder by what an officer types: part of the name, the id, the unit or grid, the
//! name's pinyin (`liulei`) or its initials (`ll`), in any case.

use crate::domain::Responder;
use pinyin::ToPinyin;

/// The name's toneless pinyin syllables; characters without a reading stay as they are.
fn syllables(name: &str) -> Vec<String> {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c.to_pinyin() {
            Some(p) => p.plain().to_string(),
            None => c.to_lowercase().collect(),
        })
        .collect()
}

/// Whether `query` finds `r`: every word of it is in the name, id, unit or grid, or starts the
/// name's pinyin or its initials (`ll`, `liul`, `liulei` for 刘磊).
pub fn finds(query: &str, r: &Responder) -> bool {
    let plain = format!(
        "{} {} {} {}",
        r.name,
        r.id,
        r.unit,
        r.grid.as_deref().unwrap_or("")
    )
    .to_lowercase();
    let sounds = syllables(&r.name);
    let full: String = sounds.concat();
    let initials: String = sounds.iter().filter_map(|s| s.chars().next()).collect();
    query.split_whitespace().all(|word| {
        let word = word.to_lowercase();
        plain.contains(&word)
            || full.starts_with(&word)
            || initials.starts_with(&word)
            || spells(&sounds, &word)
    })
}

/// Whether `word` spells the syllables from the first, each one in full or by a prefix
/// (`liul`, `lle`, `llei` for liu lei).
fn spells(sounds: &[String], word: &str) -> bool {
    fn go(sounds: &[String], rest: &str) -> bool {
        if rest.is_empty() {
            return true;
        }
        let Some((first, others)) = sounds.split_first() else {
            return false;
        };
        (1..=first.len().min(rest.len()))
            .rev()
            .filter(|&n| rest.is_char_boundary(n) && first.is_char_boundary(n))
            .any(|n| first[..n] == rest[..n] && go(others, &rest[n..]))
    }
    go(sounds, word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::names::tests::r;

    #[test]
    fn pinyin_and_initials_find_the_name() {
        let liu = r("wg07", "刘磊");
        for q in [
            "ll", "LL", "liulei", "liu", "liul", "lle", "刘", "wg07", "网格",
        ] {
            assert!(finds(q, &liu), "{q} finds 刘磊");
        }
        for q in ["yl", "yelei", "lz", "wg08", "leiliu"] {
            assert!(!finds(q, &liu), "{q} does not find 刘磊");
        }
        assert!(finds("yl", &r("zb01", "叶磊")));
        assert!(finds("yelei", &r("zb01", "叶磊")));
    }
}
