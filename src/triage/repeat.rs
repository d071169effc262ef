//! Repeat calls (重复报警): keys for the same phone or the same address, and the window rule. The
//! store finds earlier items; this module only says what counts as "the same" and "within".

use chrono::{DateTime, Duration, Utc};

/// Folds full-width forms to half-width (`１２３` → `123`, `＋` → `+`).
fn half_width(c: char) -> char {
    let code = c as u32;
    if (0xFF01..=0xFF5E).contains(&code) {
        char::from_u32(code - 0xFEE0).unwrap_or(c)
    } else if c == '\u{3000}' {
        ' '
    } else {
        c
    }
}

/// The comparable form of a phone number: digits only, full-width folded, the country prefix
/// (`+86`, `0086`, or `86` before an 11-digit mobile) removed. Landline area codes stay.
pub fn normalize_phone(raw: &str) -> String {
    let folded: String = raw.chars().map(half_width).collect();
    let trimmed = folded.trim_start();
    let rest = if let Some(r) = trimmed.strip_prefix('+') {
        r.trim_start_matches(|c: char| !c.is_ascii_digit())
            .strip_prefix("86")
            .unwrap_or(r)
    } else {
        trimmed
    };
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if let Some(d) = digits.strip_prefix("0086") {
        return d.to_string();
    }
    if digits.len() == 13
        && let Some(d) = digits.strip_prefix("86")
        && d.starts_with('1')
    {
        return d.to_string();
    }
    digits
}

fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' | '○' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '贰' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

fn is_numeral(c: char) -> bool {
    chinese_digit(c).is_some() || matches!(c, '十' | '拾' | '百' | '佰' | '千' | '仟')
}

/// Value of a run of Chinese numerals: positional (`一二三` = 123) when it has no unit
/// characters, otherwise with units (`一百二十三` = 123, `十五` = 15).
fn numeral_value(run: &[char]) -> Option<u64> {
    let has_unit = run.iter().any(|c| chinese_digit(*c).is_none());
    if !has_unit {
        return run.iter().try_fold(0u64, |acc, c| {
            Some(acc * 10 + u64::from(chinese_digit(*c)?))
        });
    }
    let mut total = 0u64;
    let mut digit: Option<u64> = None;
    for &c in run {
        if let Some(d) = chinese_digit(c) {
            digit = Some(u64::from(d));
            continue;
        }
        let unit = match c {
            '十' | '拾' => 10,
            '百' | '佰' => 100,
            '千' | '仟' => 1000,
            _ => return None,
        };
        total += digit.unwrap_or(1) * unit;
        digit = None;
    }
    Some(total + digit.unwrap_or(0))
}

/// Unit characters after which a Chinese numeral is a house number.
fn is_unit(c: char) -> bool {
    matches!(
        c,
        '号' | '弄' | '栋' | '室' | '楼' | '单' | '层' | '幢' | '座' | '支' | '巷'
    )
}

/// Variant spellings of address units.
fn unit_variant(c: char) -> char {
    match c {
        '號' => '号',
        '衖' => '弄',
        '幢' | '棟' => '栋',
        '樓' => '楼',
        '單' => '单',
        _ => c,
    }
}

/// The comparable form of an address: full-width folded, spaces and punctuation dropped, unit
/// variants unified (號→号, 衖→弄, 幢→栋), Chinese numerals before a unit turned into digits
/// (`一二三号` and `一百二十三号` → `123号`), ASCII letters in lower case.
pub fn normalize_address(raw: &str) -> String {
    let chars: Vec<char> = raw
        .chars()
        .map(half_width)
        .map(unit_variant)
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '-' | '－' | '—' | ',' | '，' | '、' | '.' | '。')
        })
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < chars.len() {
        if is_numeral(chars[i]) {
            let start = i;
            while i < chars.len() && is_numeral(chars[i]) {
                i += 1;
            }
            let run = &chars[start..i];
            match (chars.get(i), numeral_value(run)) {
                (Some(&u), Some(v)) if is_unit(u) => out.push_str(&v.to_string()),
                _ => out.extend(run),
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Whether `now` is within `window` after `earlier`: inclusive at exactly `window`, exclusive
/// after; an `earlier` later than `now` is not within.
pub fn is_within(earlier: DateTime<Utc>, now: DateTime<Utc>, window: Duration) -> bool {
    earlier <= now && now - earlier <= window
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn phone_forms_agree() {
        let want = "13812345678";
        for raw in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "+86 138 1234 5678",
            "+86-13812345678",
            "0086 13812345678",
            "8613812345678",
            "１３８１２３４５６７８",
            "＋８６　１３８１２３４５６７８",
        ] {
            assert_eq!(normalize_phone(raw), want, "{raw}");
        }
        assert_eq!(normalize_phone("021-6612 3456"), "02166123456");
    }

    #[test]
    fn address_forms_agree() {
        let want = normalize_address("广中路123弄5号602室");
        assert_eq!(want, "广中路123弄5号602室");
        for raw in [
            "广中路 123 弄 5 号 602 室",
            "广中路１２３弄５号６０２室",
            "广中路一二三弄五号六〇二室",
            "广中路一百二十三弄五號六百零二室",
            "广中路123衖5号602室",
        ] {
            assert_eq!(normalize_address(raw), want, "{raw}");
        }
        assert_eq!(normalize_address("十五号楼"), "15号楼");
        assert_eq!(normalize_address("三十号"), "30号");
        assert_eq!(normalize_address("幸福一村"), "幸福一村");
    }

    #[test]
    fn window_edges() {
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 8, 0, 0).single();
        let Some(t0) = t0 else { panic!("fixed time") };
        let w = Duration::minutes(30);
        assert!(is_within(t0, t0, w));
        assert!(is_within(t0, t0 + Duration::minutes(30), w));
        assert!(!is_within(
            t0,
            t0 + Duration::minutes(30) + Duration::seconds(1),
            w
        ));
        assert!(!is_within(
            t0,
            t0 + Duration::minutes(30) + Duration::nanoseconds(1),
            w
        ));
        assert!(!is_within(t0 + Duration::seconds(1), t0, w));
    }
}
