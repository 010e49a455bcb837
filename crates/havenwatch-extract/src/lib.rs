//! Text to entity mentions.
//!
//! The [`Gazetteer`] is data (TOML files: the generated UN sanctions list, a curated list, a
//! user's own entries); [`EntityResolver`] compiles it once into an Aho-Corasick automaton over
//! folded names and finds every known name in one pass. [`MentionExtractor`] adds what the text
//! itself teaches: acronyms it defines ("Long Name (LN)"), and groups no list knows yet, found by
//! appositions and group nouns and returned as provisional entities with their evidence.
//!
//! Architecture invariant: this crate does no I/O. Text and TOML come in as `&str`, mentions and
//! diagnostics go out. The default gazetteer is compiled into the binary with `include_str!`.

pub mod attribution;
pub mod claims;
pub mod cue_model;
pub mod discover;
pub mod evaluate;
pub mod fold;
pub mod gazetteer;
pub mod mentions;
pub mod polnear;
pub mod quantity;
pub mod resolver;
pub mod sanctions;
pub mod sentences;

/// Whether `word` is one of `list`, ignoring ASCII case: word lists are compared in place,
/// without lowercasing (these checks run for every cue and trigger).
pub(crate) fn one_of(word: &str, list: &[&str]) -> bool {
    list.iter().any(|x| word.eq_ignore_ascii_case(x))
}

/// The leftmost-longest matches of `automaton` in `text[s..e]` (spans in `text`) that `keep`
/// accepts. A match `keep` refuses (one inside a word, say) is skipped and the search goes on
/// from its next character, not from its end, so that it hides no match starting within it:
/// "ties to" inside "authorities tolerate" must not hide "tolerate".
pub(crate) fn kept_matches<'a>(
    automaton: &'a aho_corasick::AhoCorasick,
    text: &'a str,
    s: usize,
    e: usize,
    keep: impl Fn(&aho_corasick::Match) -> bool + 'a,
) -> impl Iterator<Item = aho_corasick::Match> + 'a {
    let mut at = s;
    std::iter::from_fn(move || {
        while at < e {
            let m = automaton.find(aho_corasick::Input::new(&text[..e]).span(at..e))?;
            if keep(&m) {
                at = m.end();
                return Some(m);
            }
            at = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
        }
        None
    })
}

/// Random texts made of the pieces a test gives (deterministic for a seed), for checking a
/// rewritten scanner against the one it replaced.
#[cfg(test)]
pub(crate) fn random_texts<'a>(
    pieces: &'a [&'a str],
    per_text: usize,
    count: usize,
    seed: u64,
) -> impl Iterator<Item = String> + 'a {
    let mut seed = seed;
    (0..count).map(move |_| {
        let mut text = String::new();
        for _ in 0..per_text {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
        }
        text
    })
}

pub use discover::NameRun;
pub use gazetteer::{Gazetteer, GazetteerEntry, GazetteerError};
pub use mentions::{Analysis, DiscoveredEntity, FoundMention, MentionExtractor, MentionTarget};
pub use resolver::{EntityResolver, ResolvedName};
