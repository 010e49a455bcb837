//! Name normalisation shared by the extractor and the store.
//!
//! Reports spell the same name many ways: `Al-Qaida`, `al Qaida`, `AL‑QAIDA` (a non-breaking
//! hyphen), `Hay’at` and `Hay'at`. [`fold_char`] maps one character to its matching form and
//! [`alias_key`] folds a whole name, so that the streaming matcher in the extractor and the
//! alias lookup in the store agree on what "the same name" means.

use unicode_normalization::char::decompose_canonical;

/// What one input character becomes in folded text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Folded {
    /// A letter or digit, lowercased, diacritics removed.
    Char(char),
    /// Two chars (e.g. `ß` -> `ss`, `æ` -> `ae`).
    Pair(char, char),
    /// A separator: whitespace, hyphens, dashes, slashes and most punctuation.
    Boundary,
    /// Dropped without a trace: apostrophes inside words (`Hay’at` -> `hayat`), combining marks.
    Drop,
}

/// Whether `c` is one of the many apostrophe-like characters news text uses.
pub fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '’' | '‘' | '`' | '´' | 'ʼ' | 'ʻ' | 'ʾ' | 'ʿ' | '′'
    )
}

/// Folds one character. Letters are lowercased with their diacritics removed, apostrophes are
/// dropped, everything that is neither letter nor digit is a boundary.
pub fn fold_char(c: char) -> Folded {
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() {
            Folded::Char(c.to_ascii_lowercase())
        } else if c == '\'' || c == '`' {
            Folded::Drop
        } else {
            Folded::Boundary
        };
    }
    if is_apostrophe(c) {
        return Folded::Drop;
    }
    match c {
        'ß' => return Folded::Pair('s', 's'),
        'æ' | 'Æ' => return Folded::Pair('a', 'e'),
        'œ' | 'Œ' => return Folded::Pair('o', 'e'),
        'ø' | 'Ø' => return Folded::Char('o'),
        'đ' | 'Đ' => return Folded::Char('d'),
        'ł' | 'Ł' => return Folded::Char('l'),
        'ı' => return Folded::Char('i'),
        _ => {}
    }
    if !c.is_alphanumeric() {
        // Combining marks on their own vanish; everything else separates words.
        return if is_combining(c) {
            Folded::Drop
        } else {
            Folded::Boundary
        };
    }
    let mut base = None;
    decompose_canonical(c, |d| {
        if base.is_none() && !is_combining(d) {
            base = Some(d);
        }
    });
    let base = base.unwrap_or(c);
    let mut lower = base.to_lowercase();
    let first = lower.next().unwrap_or(base);
    Folded::Char(first)
}

fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Folds a name to its lookup key: folded characters, words separated by single spaces.
///
/// A possessive `'s` at the end of a word is cut, so `TTP's` keys as `ttp`.
pub fn alias_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_space = false;
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if is_apostrophe(c) {
            // Possessive: apostrophe + s + end of word.
            let mut rest = chars.clone();
            if matches!(rest.next(), Some('s' | 'S'))
                && rest.peek().is_none_or(|n| !n.is_alphanumeric())
            {
                chars.next();
                pending_space = !out.is_empty();
            }
            continue;
        }
        match fold_char(c) {
            Folded::Char(f) => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(f);
            }
            Folded::Pair(a, b) => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(a);
                out.push(b);
            }
            Folded::Boundary => pending_space = !out.is_empty(),
            Folded::Drop => {}
        }
    }
    out
}

/// A readable id fragment from a name: `Free Hills Front` -> `free-hills-front`.
pub fn slug(name: &str) -> String {
    alias_key(name).replace(' ', "-")
}

/// A 64-bit SimHash of a text's word 3-shingles (folded words). Near-duplicates (the same wire
/// story carried by several outlets, lightly edited) differ in a few bits; unrelated texts in
/// about half. Compare with [`hamming`].
pub fn simhash(text: &str) -> u64 {
    let key = alias_key(text);
    let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    // Per bit, how many shingles set it; a bit of the fingerprint is set when more shingles
    // set it than not. Counting without branches lets the compiler add all 64 lanes at once.
    let mut ones = [0u32; 64];
    let mut count: u32 = 0;
    let mut add = |h: u64| {
        count += 1;
        for (bit, n) in ones.iter_mut().enumerate() {
            *n += ((h >> bit) & 1) as u32;
        }
    };
    if words.len() < 3 {
        add(fnv1a(key.as_bytes()));
    }
    for shingle in words.windows(3) {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for w in shingle {
            for b in w.bytes().chain(std::iter::once(b' ')) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        // Mix: FNV's low bits are weak for short inputs.
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        add(h);
    }
    ones.iter().enumerate().fold(
        0u64,
        |acc, (bit, &n)| {
            if 2 * n > count {
                acc | 1 << bit
            } else {
                acc
            }
        },
    )
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Bits that differ between two fingerprints.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_key_folds_case_diacritics_hyphens_and_apostrophes() {
        assert_eq!(alias_key("Al-Qaida"), "al qaida");
        assert_eq!(alias_key("AL\u{2011}QAIDA"), "al qaida");
        assert_eq!(alias_key("Hay’at Tahrir al-Sham"), "hayat tahrir al sham");
        assert_eq!(
            alias_key("Hay'at  Tahrir   al–Sham"),
            "hayat tahrir al sham"
        );
        assert_eq!(alias_key("Jamāʿat Anṣār"), "jamaat ansar");
        assert_eq!(alias_key("TTP's"), "ttp");
        assert_eq!(alias_key("  (ISKP) "), "iskp");
        assert_eq!(alias_key("Straße"), "strasse");
    }

    #[test]
    fn simhash_finds_near_duplicates() {
        let story = "The group moved explosives experts to the valley to train fighters there, according to a confidential assessment seen by the wire service. The transfers began early this year and the authority has not acted to stop them.";
        let edited = story.replace("early this year", "early in the year");
        let other = "Heavy rain flooded the coastal road on Tuesday and the ferry service was suspended until the weekend, the port authority said in a statement.";
        assert_eq!(hamming(simhash(story), simhash(story)), 0);
        assert!(
            hamming(simhash(story), simhash(&edited)) <= 10,
            "{}",
            hamming(simhash(story), simhash(&edited))
        );
        assert!(
            hamming(simhash(story), simhash(other)) > 16,
            "{}",
            hamming(simhash(story), simhash(other))
        );
    }

    #[test]
    fn slug_is_key_with_dashes() {
        assert_eq!(
            slug("Free Hills Liberation Front"),
            "free-hills-liberation-front"
        );
    }
}
