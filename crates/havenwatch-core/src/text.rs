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
    alias_key_into(name, &mut out);
    out
}

/// [`alias_key`] into a buffer the caller reuses (cleared first). Whole texts go through
/// here for their fingerprint, so ASCII, most of any English report, is folded byte by byte;
/// other characters take the general path. The result is the same either way.
pub fn alias_key_into(name: &str, out: &mut String) {
    out.clear();
    let bytes = name.as_bytes();
    let mut pending_space = false;
    let mut i = 0;
    // Whether the word goes on after byte `at`: an alphanumeric character starts there.
    let word_goes_on = |at: usize| {
        name[at..]
            .chars()
            .next()
            .is_some_and(|n| n.is_alphanumeric())
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            if b.is_ascii_alphanumeric() {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(b.to_ascii_lowercase() as char);
            } else if b == b'\'' || b == b'`' {
                // Possessive: apostrophe + s + end of word.
                if matches!(bytes.get(i + 1), Some(b's' | b'S')) && !word_goes_on(i + 2) {
                    i += 1;
                    pending_space = !out.is_empty();
                }
            } else {
                pending_space = !out.is_empty();
            }
            i += 1;
            continue;
        }
        let c = name[i..].chars().next().expect("a char starts here");
        i += c.len_utf8();
        if is_apostrophe(c) {
            if matches!(bytes.get(i), Some(b's' | b'S')) && !word_goes_on(i + 1) {
                i += 1;
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
}

/// A readable id fragment from a name: `Free Hills Front` -> `free-hills-front`.
pub fn slug(name: &str) -> String {
    alias_key(name).replace(' ', "-")
}

/// A 64-bit SimHash of a text's word 3-shingles (folded words). Near-duplicates (the same wire
/// story carried by several outlets, lightly edited) differ in a few bits; unrelated texts in
/// about half. Compare with [`hamming`].
pub fn simhash(text: &str) -> u64 {
    thread_local! {
        static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    KEY.with_borrow_mut(|key| {
        alias_key_into(text, key);
        simhash_of_key(key)
    })
}

/// [`simhash`] of a text whose [`alias_key`] is `key`, for a caller that folded it already.
pub fn simhash_of_key(key: &str) -> u64 {
    // Per bit, how many shingles set it; a bit of the fingerprint is set when more shingles
    // set it than not. The counts are kept eight to a u64 (one byte per bit of a hash byte,
    // spread by `SPREAD`), so a shingle costs eight additions rather than sixty-four, and
    // are moved to `ones` before a byte could overflow.
    let mut ones = [0u32; 64];
    let mut lanes = [0u64; 8];
    let mut in_lanes = 0u32;
    let mut count: u32 = 0;
    let mut add = |h: u64, ones: &mut [u32; 64], lanes: &mut [u64; 8], in_lanes: &mut u32| {
        count += 1;
        for (j, lane) in lanes.iter_mut().enumerate() {
            *lane += SPREAD[((h >> (8 * j)) & 0xff) as usize];
        }
        *in_lanes += 1;
        if *in_lanes == 255 {
            flush_lanes(lanes, ones);
            *in_lanes = 0;
        }
    };
    // Words are separated by single spaces in a key, so a shingle "a b c " is the run of the
    // key from the start of its first word to the end of its third, and one more space.
    let bytes = key.as_bytes();
    let mut starts = [0usize; 3];
    let mut seen = 0usize;
    let mut any_shingle = false;
    let mut at = 0;
    while at < bytes.len() {
        let end = bytes[at..]
            .iter()
            .position(|&b| b == b' ')
            .map_or(bytes.len(), |p| at + p);
        starts[seen % 3] = at;
        seen += 1;
        if seen >= 3 {
            any_shingle = true;
            let first = starts[seen % 3];
            let mut h = fnv1a_from(0xcbf2_9ce4_8422_2325, &bytes[first..end]);
            h ^= u64::from(b' ');
            h = h.wrapping_mul(0x0100_0000_01b3);
            // Mix: FNV's low bits are weak for short inputs.
            h ^= h >> 33;
            h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
            h ^= h >> 33;
            add(h, &mut ones, &mut lanes, &mut in_lanes);
        }
        at = end + 1;
    }
    if !any_shingle {
        add(fnv1a(key.as_bytes()), &mut ones, &mut lanes, &mut in_lanes);
    }
    flush_lanes(&mut lanes, &mut ones);
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

/// `SPREAD[b]` has byte `k` set to bit `k` of `b`.
const SPREAD: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut k = 0;
        while k < 8 {
            if b >> k & 1 == 1 {
                t[b] |= 1 << (8 * k);
            }
            k += 1;
        }
        b += 1;
    }
    t
};

/// Adds the byte counters of `lanes` to `ones` (bit `8 * j + k` is byte `k` of lane `j`) and
/// clears them.
fn flush_lanes(lanes: &mut [u64; 8], ones: &mut [u32; 64]) {
    for (j, lane) in lanes.iter_mut().enumerate() {
        for k in 0..8 {
            ones[8 * j + k] += ((*lane >> (8 * k)) & 0xff) as u32;
        }
        *lane = 0;
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_from(0xcbf2_9ce4_8422_2325, bytes)
}

fn fnv1a_from(mut h: u64, bytes: &[u8]) -> u64 {
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

    /// The key and fingerprint as first written (character by character, every shingle
    /// counted bit by bit): stores hold fingerprints made this way, so the fast versions
    /// must give the same values.
    fn reference_key(name: &str) -> String {
        let mut out = String::new();
        let mut pending_space = false;
        let mut chars = name.chars().peekable();
        while let Some(c) = chars.next() {
            if is_apostrophe(c) {
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
                    if std::mem::take(&mut pending_space) {
                        out.push(' ');
                    }
                    out.push(f);
                }
                Folded::Pair(a, b) => {
                    if std::mem::take(&mut pending_space) {
                        out.push(' ');
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

    fn reference_simhash(text: &str) -> u64 {
        let key = reference_key(text);
        let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
        let mut ones = [0u32; 64];
        let mut count = 0u32;
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
            h ^= h >> 33;
            h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
            h ^= h >> 33;
            add(h);
        }
        (0..64).fold(0, |acc, bit| {
            if 2 * ones[bit] > count {
                acc | 1 << bit
            } else {
                acc
            }
        })
    }

    #[test]
    fn fast_key_and_fingerprint_equal_the_first_written_ones() {
        let long = "The Panel’s report, citing member states' assessments, says the group's \
                    fighters (some 3,000) moved to the Serrat range. "
            .repeat(40);
        let cases = [
            "",
            " ",
            "a",
            "a b",
            "a b c",
            "TTP's",
            "TTP'sa",
            "a 's",
            "x '",
            "'s",
            "ab’S’s",
            "x`s y",
            "Hay’at's x",
            "al‑Qaida’S men",
            "Straße ǅ ﬁ İstanbul Œuvre",
            "Jamāʿat Anṣār  --  al–Sham",
            "Ünïcödé’s",
            "’s’s’s",
            long.as_str(),
        ];
        for text in cases {
            assert_eq!(alias_key(text), reference_key(text), "{text:?}");
            assert_eq!(simhash(text), reference_simhash(text), "{text:?}");
        }
        // More than 255 shingles: the byte counters are moved before they overflow.
        let words: String = (0..2000).map(|i| format!("w{} ", i % 97)).collect();
        assert_eq!(simhash(&words), reference_simhash(&words));
    }

    #[test]
    fn slug_is_key_with_dashes() {
        assert_eq!(
            slug("Free Hills Liberation Front"),
            "free-hills-liberation-front"
        );
    }
}
