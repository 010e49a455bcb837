//! Folded text with a map back to the original bytes.
//!
//! Matching happens on folded text (see [`havenwatch_core::text::fold_char`]): lowercase, no
//! diacritics, apostrophes dropped, every run of other characters a single space, and spelling
//! variants of whole words replaced (`tehreek` -> `tehrik`). Every byte of the folded text
//! remembers the byte range of the original character(s) it came from, so a match maps back to
//! an exact span of the document.

use havenwatch_core::text::{fold_char, is_apostrophe, Folded};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: words are short, and the variant lookup runs once per word of every document, where
/// SipHash's setup dominates.
#[derive(Default)]
pub struct FnvHasher(u64);

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

impl std::fmt::Debug for FnvHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnvHasher")
    }
}

/// Whole-word spelling variants, folded before matching: `from` -> `to`.
#[derive(Clone, Debug)]
pub struct Variants {
    map: HashMap<String, String, BuildHasherDefault<FnvHasher>>,
    /// Bit `len` of `shapes[first byte]` is set when some variant starts with that byte and has
    /// that length (lengths over 63 share bit 63): most words are ruled out without hashing.
    shapes: Vec<u64>,
}

impl Default for Variants {
    fn default() -> Self {
        Variants::new(std::iter::empty())
    }
}

impl Variants {
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let map: HashMap<String, String, BuildHasherDefault<FnvHasher>> =
            pairs.into_iter().collect();
        let mut shapes = vec![0u64; 256];
        for key in map.keys() {
            if let Some(&first) = key.as_bytes().first() {
                shapes[first as usize] |= 1 << key.len().min(63);
            }
        }
        Variants { map, shapes }
    }

    pub fn get(&self, word: &str) -> Option<&str> {
        let first = *word.as_bytes().first()?;
        if self.shapes[first as usize] & (1 << word.len().min(63)) == 0 {
            return None;
        }
        self.map.get(word).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Applies the variants to an already folded key (`alias_key` output).
    pub fn apply_to_key(&self, key: &str) -> String {
        if self.map.is_empty() {
            return key.to_string();
        }
        let mut out = String::with_capacity(key.len());
        for (i, word) in key.split(' ').enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(self.get(word).unwrap_or(word));
        }
        out
    }
}

/// Folded text plus, for each folded byte, the original byte range it stands for.
#[derive(Debug, Default)]
pub struct FoldedText {
    pub text: String,
    starts: Vec<u32>,
    ends: Vec<u32>,
    /// Whether the folded text currently ends inside a word starting at `word_start`.
    in_word: bool,
    word_start: usize,
    /// The words the last fold replaced by their variants, in order: where the variant
    /// starts in `text`, its length, and the folded word it replaced (in `replaced_words`).
    /// With them `text` gives back the original's `alias_key` without folding it again (one
    /// fold serves matching and the fingerprint).
    replaced: Vec<(usize, usize, std::ops::Range<usize>)>,
    replaced_words: String,
}

impl FoldedText {
    /// Folds `original`, reusing this value's buffers.
    pub fn fold(&mut self, original: &str, variants: &Variants) {
        self.text.clear();
        self.starts.clear();
        self.ends.clear();
        self.in_word = false;
        self.replaced.clear();
        self.replaced_words.clear();
        self.text.reserve(original.len());
        let bytes = original.as_bytes();
        let mut pending_space = false;
        let mut space_at = 0usize;
        let mut pos = 0usize;
        while pos < bytes.len() {
            let b = bytes[pos];
            // Most news text is ASCII: a run of ASCII letters and digits is copied lowercased,
            // its offsets filled at once.
            if b.is_ascii_alphanumeric() {
                let start = pos;
                while pos < bytes.len() && bytes[pos].is_ascii_alphanumeric() {
                    pos += 1;
                }
                self.open_word(&mut pending_space, space_at, start);
                self.in_word = true;
                let at = self.text.len();
                self.text.push_str(&original[start..pos]);
                self.text[at..].make_ascii_lowercase();
                self.starts.extend(start as u32..pos as u32);
                self.ends.extend(start as u32 + 1..pos as u32 + 1);
                continue;
            }
            let c = if b.is_ascii() {
                char::from(b)
            } else {
                original[pos..]
                    .chars()
                    .next()
                    .expect("a character at a boundary")
            };
            let end = pos + c.len_utf8();
            if is_apostrophe(c) {
                // A possessive 's ends the word: "TTP's" folds to "ttp", as in `alias_key`.
                let mut rest = original[end..].chars();
                if matches!(rest.next(), Some('s' | 'S'))
                    && rest.next().is_none_or(|n| !n.is_alphanumeric())
                {
                    self.flush_word(variants);
                    pending_space = !self.text.is_empty();
                    space_at = pos;
                    pos = end + 1;
                } else {
                    pos = end;
                }
                continue;
            }
            if b.is_ascii() {
                // Not a letter, digit or apostrophe: a boundary.
                self.flush_word(variants);
                if !pending_space && !self.text.is_empty() {
                    pending_space = true;
                    space_at = pos;
                }
                pos = end;
                continue;
            }
            match fold_char(c) {
                Folded::Char(f) => {
                    self.open_word(&mut pending_space, space_at, pos);
                    self.push_word_char(f, pos, end);
                }
                Folded::Pair(a, b) => {
                    self.open_word(&mut pending_space, space_at, pos);
                    self.push_word_char(a, pos, end);
                    self.push_word_char(b, pos, end);
                }
                Folded::Boundary => {
                    self.flush_word(variants);
                    if !pending_space && !self.text.is_empty() {
                        pending_space = true;
                        space_at = pos;
                    }
                }
                Folded::Drop => {}
            }
            pos = end;
        }
        self.flush_word(variants);
    }

    fn open_word(&mut self, pending_space: &mut bool, space_at: usize, pos: usize) {
        if *pending_space && !self.in_word {
            self.text.push(' ');
            self.starts.push(space_at as u32);
            self.ends.push(pos as u32);
            *pending_space = false;
        }
        if !self.in_word {
            self.word_start = self.text.len();
        }
    }

    fn push_word_char(&mut self, c: char, start: usize, end: usize) {
        self.in_word = true;
        self.text.push(c);
        for _ in 0..c.len_utf8() {
            self.starts.push(start as u32);
            self.ends.push(end as u32);
        }
    }

    /// Ends the current word, replacing it by its variant if it has one.
    fn flush_word(&mut self, variants: &Variants) {
        if !self.in_word {
            return;
        }
        self.in_word = false;
        if let Some(replacement) = variants.get(&self.text[self.word_start..]) {
            let from = self.word_start;
            let at = self.replaced_words.len();
            self.replaced_words.push_str(&self.text[from..]);
            self.replaced
                .push((from, replacement.len(), at..self.replaced_words.len()));
            let start = self.starts[from];
            let end = *self.ends.last().expect("word has bytes");
            self.text.truncate(from);
            self.starts.truncate(from);
            self.ends.truncate(from);
            self.text.push_str(replacement);
            self.starts.resize(self.text.len(), start);
            self.ends.resize(self.text.len(), end);
        }
    }

    /// The original's `alias_key`: the folded text with the words variants replaced put
    /// back, for computing what is defined on that key without folding again.
    pub fn alias_key(&self) -> std::borrow::Cow<'_, str> {
        if self.replaced.is_empty() {
            return std::borrow::Cow::Borrowed(&self.text);
        }
        let mut key = String::with_capacity(self.text.len() + self.replaced_words.len());
        let mut copied = 0;
        for (at, len, word) in &self.replaced {
            key.push_str(&self.text[copied..*at]);
            key.push_str(&self.replaced_words[word.clone()]);
            copied = at + len;
        }
        key.push_str(&self.text[copied..]);
        std::borrow::Cow::Owned(key)
    }

    /// The original byte range of the folded range `[start, end)`.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        (self.starts[start] as usize, self.ends[end - 1] as usize)
    }

    /// Whether `[start, end)` starts and ends on word boundaries of the folded text.
    pub fn on_word_boundaries(&self, start: usize, end: usize) -> bool {
        let bytes = self.text.as_bytes();
        (start == 0 || bytes[start - 1] == b' ') && (end == bytes.len() || bytes[end] == b' ')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl FoldedText {
        /// The character-by-character fold this module used before, to compare with.
        fn fold_reference(&mut self, original: &str, variants: &Variants) {
            self.text.clear();
            self.starts.clear();
            self.ends.clear();
            self.in_word = false;
            self.text.reserve(original.len());
            let mut pending_space = false;
            let mut space_at = 0usize;
            let mut iter = original.char_indices().peekable();
            while let Some((pos, c)) = iter.next() {
                let end = pos + c.len_utf8();
                if is_apostrophe(c) {
                    // A possessive 's ends the word: "TTP's" folds to "ttp", as in `alias_key`.
                    let mut rest = iter.clone();
                    if matches!(rest.next(), Some((_, 's' | 'S')))
                        && rest.peek().is_none_or(|(_, n)| !n.is_alphanumeric())
                    {
                        iter.next();
                        self.flush_word(variants);
                        pending_space = !self.text.is_empty();
                        space_at = pos;
                    }
                    continue;
                }
                // ASCII fast path: most news text is ASCII.
                if c.is_ascii() {
                    if c.is_ascii_alphanumeric() {
                        self.open_word(&mut pending_space, space_at, pos);
                        self.push_word_char(c.to_ascii_lowercase(), pos, end);
                    } else if c != '\'' && c != '`' {
                        self.flush_word(variants);
                        if !pending_space && !self.text.is_empty() {
                            pending_space = true;
                            space_at = pos;
                        }
                    }
                    continue;
                }
                match fold_char(c) {
                    Folded::Char(f) => {
                        self.open_word(&mut pending_space, space_at, pos);
                        self.push_word_char(f, pos, end);
                    }
                    Folded::Pair(a, b) => {
                        self.open_word(&mut pending_space, space_at, pos);
                        self.push_word_char(a, pos, end);
                        self.push_word_char(b, pos, end);
                    }
                    Folded::Boundary => {
                        self.flush_word(variants);
                        if !pending_space && !self.text.is_empty() {
                            pending_space = true;
                            space_at = pos;
                        }
                    }
                    Folded::Drop => {}
                }
            }
            self.flush_word(variants);
        }
    }

    /// Pieces of text mixing ASCII, diacritics, apostrophes and punctuation, to fold in
    /// random sequences.
    const MIXED: &[&str] = &[
        "TTP",
        "’s",
        "'s",
        "Tehreek-i-Taliban",
        " ",
        "  ",
        "al‑Qāʿida",
        "don't",
        "`",
        "—",
        "Ansār",
        "(ISKP)",
        "2,000",
        ".",
        "\n",
        "ß",
        "İstanbul",
        "Ǆ",
        "'S",
        "’",
        "x",
    ];

    /// The run-at-a-time fold gives the same text and the same offsets as folding character
    /// by character, on mixed text.
    #[test]
    fn fold_equals_the_character_by_character_fold() {
        let v = variants();
        for text in crate::random_texts(MIXED, 12, 2_000, 7) {
            let (mut a, mut b) = (FoldedText::default(), FoldedText::default());
            a.fold(&text, &v);
            b.fold_reference(&text, &v);
            assert_eq!(
                (&a.text, &a.starts, &a.ends),
                (&b.text, &b.starts, &b.ends),
                "{text:?}"
            );
        }
    }

    /// The fold gives back the original's `alias_key`, whether variants replaced words in it
    /// or not.
    #[test]
    fn a_fold_gives_back_the_alias_key() {
        let more = [
            "`s", "´", "æ", "🙂", "\u{301}", "ﬁ", "Ⅻ", "ﾀ", "داعش", "ʿ", "\t", "_", "#", "I",
            "Qaeda", "tehreek",
        ];
        let pieces: Vec<&str> = MIXED.iter().copied().chain(more).collect();
        let v = variants();
        let mut folded = FoldedText::default();
        let mut rewritten = 0;
        for text in crate::random_texts(&pieces, 16, 3_000, 11) {
            folded.fold(&text, &v);
            let key = havenwatch_core::text::alias_key(&text);
            assert_eq!(folded.alias_key(), key, "{text:?}");
            rewritten += usize::from(folded.text != key);
        }
        assert!(rewritten > 1_000, "variants rewrote {rewritten} texts");
        folded.fold("Tehreek-i-Taliban's  TTP", &v);
        assert_eq!(folded.text, "tehrik e taliban ttp");
        assert_eq!(folded.alias_key(), "tehreek i taliban ttp");
    }

    fn variants() -> Variants {
        Variants::new([
            ("tehreek".to_string(), "tehrik".to_string()),
            ("i".to_string(), "e".to_string()),
        ])
    }

    #[test]
    fn folds_and_maps_back_to_original_spans() {
        let original = "The Tehreek-i-Taliban Pakistan’s fighters (TTP).";
        let mut folded = FoldedText::default();
        folded.fold(original, &variants());
        assert_eq!(folded.text, "the tehrik e taliban pakistan fighters ttp");
        let start = folded.text.find("tehrik").unwrap();
        let end = folded.text.find(" fighters").unwrap();
        let (a, b) = folded.original_span(start, end);
        assert_eq!(&original[a..b], "Tehreek-i-Taliban Pakistan");
        let t = folded.text.find("ttp").unwrap();
        let (a, b) = folded.original_span(t, t + 3);
        assert_eq!(&original[a..b], "TTP");
    }

    #[test]
    fn diacritics_and_multibyte_spans() {
        let original = "Jamāʿat Anṣār — al‑Qāʿida";
        let mut folded = FoldedText::default();
        folded.fold(original, &Variants::default());
        assert_eq!(folded.text, "jamaat ansar al qaida");
        let s = folded.text.find("al qaida").unwrap();
        let (a, b) = folded.original_span(s, folded.text.len());
        assert_eq!(&original[a..b], "al‑Qāʿida");
        assert!(folded.on_word_boundaries(s, folded.text.len()));
        assert!(!folded.on_word_boundaries(s + 1, folded.text.len()));
    }
}
