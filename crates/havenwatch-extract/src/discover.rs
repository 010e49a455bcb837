//! Groups that no list knows yet, found from how the text itself names them.
//!
//! New groups appear every month, long before any list has them. Three rules find them, each
//! leaving the evidence an analyst needs to confirm or merge what was found:
//! - an acronym the text defines: "the Free Hills Liberation Front (FHLF)";
//! - an apposition that says what a name is: "Katiba Sahra, a jihadist outfit active in ...";
//! - a capitalised name headed by a group noun: "... Liberation Front", "Lashkar-e-...".
//!
//! All three work on [`NameRun`]s: maximal runs of capitalised words (with the connectors
//! names use: "of", "al", "ul", "-e-"), found in one scan of the text.

use regex::Regex;

/// A run of capitalised words that may be a name, as a byte span of the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameRun {
    pub start: usize,
    pub end: usize,
}

/// Connectors that may stand inside a name between capitalised words.
const CONNECTORS: [&str; 16] = [
    "of", "for", "al", "el", "ul", "e", "i", "wal", "wa", "de", "du", "la", "bin", "ibn", "in",
    "the",
];

/// A capitalised word, or a particle joined to one: "al-Islam", "wal-Muslimin", "ul-Ahrar".
fn is_name_word(word: &str) -> bool {
    if word.chars().next().is_some_and(char::is_uppercase) {
        return true;
    }
    // A particle is at most three letters: a hyphen, if any, is among the first four bytes.
    if !word.bytes().take(4).any(|b| b == b'-') {
        return false;
    }
    match word.split_once('-') {
        Some((particle, rest)) => {
            CONNECTORS.contains(&particle.to_ascii_lowercase().as_str())
                && rest.chars().next().is_some_and(char::is_uppercase)
        }
        None => false,
    }
}

/// Whether `word` may join two capitalised words of a name. "the" only after another
/// connector ("Army of the Pure"), so that "In March the Front" stays two runs.
fn is_connector(word: &str, after_connector: bool) -> bool {
    if word.len() > 3 {
        return false; // every connector is short: no need to look
    }
    if word.eq_ignore_ascii_case("the") {
        return after_connector;
    }
    CONNECTORS.iter().any(|c| c.eq_ignore_ascii_case(word))
}

/// Capitalised words that open sentences or titles but never start a group's name.
const NOT_NAME_START: [&str; 32] = [
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "by",
    "for",
    "from",
    "with",
    "after",
    "before",
    "when",
    "while",
    "since",
    "but",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "several",
    "some",
    "many",
    "dozens",
    "hundreds",
    "thousands",
    "both",
];

/// Finds the runs of capitalised words in `text`.
pub fn name_runs(text: &str, out: &mut Vec<NameRun>) {
    out.clear();
    let bytes = text.as_bytes();
    // The character at `at` (ASCII without decoding).
    let char_at = |at: usize| -> Option<char> {
        match bytes.get(at) {
            None => None,
            Some(&b) if b.is_ascii() => Some(char::from(b)),
            Some(_) => text[at..].chars().next(),
        }
    };
    let mut i = 0;
    let mut run: Option<(usize, usize)> = None;
    let mut pending_connectors = 0usize;
    while i < bytes.len() {
        // Next word: letters, digits, hyphens, apostrophes.
        let word_start = i;
        let c = char_at(i).expect("in bounds");
        if !c.is_alphanumeric() {
            // A separator: anything other than plain spaces ends the run.
            if !(c == ' ' || c == '\u{a0}') {
                if let Some((s, e)) = run.take() {
                    out.push(NameRun { start: s, end: e });
                }
                pending_connectors = 0;
            }
            i += c.len_utf8();
            continue;
        }
        let mut j = i;
        while let Some(ch) = char_at(j) {
            let next = j + ch.len_utf8();
            if ch.is_alphanumeric()
                || ((ch == '-' || havenwatch_core::text::is_apostrophe(ch) || ch == '.')
                    && char_at(next).is_some_and(|n| n.is_alphanumeric()))
            {
                j = next;
            } else {
                break;
            }
        }
        let word = &text[word_start..j];
        if is_name_word(word) {
            match run.as_mut() {
                Some((_, e)) => *e = j,
                None => run = Some((word_start, j)),
            }
            pending_connectors = 0;
        } else if run.is_some()
            && pending_connectors < 2
            && is_connector(word, pending_connectors > 0)
        {
            pending_connectors += 1;
        } else {
            if let Some((s, e)) = run.take() {
                out.push(NameRun { start: s, end: e });
            }
            pending_connectors = 0;
        }
        i = j;
    }
    if let Some((s, e)) = run {
        out.push(NameRun { start: s, end: e });
    }
}

/// The words of `s` (split on spaces and hyphens), lowercased, for lexicon checks.
fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split([' ', '-', '\u{a0}'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        })
}

/// The word lists discovery uses, as data (`data/discovery.toml`).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryLexicon {
    pub group_nouns: Vec<String>,
    pub agency_nouns: Vec<String>,
    pub state_force_words: Vec<String>,
    pub demonyms: Vec<String>,
    /// Nouns that name a place with the name before them ("Kebbi State", "Djugu territory").
    #[serde(default)]
    pub place_nouns: Vec<String>,
    /// First words that make "<word> State" something other than a place ("Islamic State").
    #[serde(default)]
    pub not_place_words: Vec<String>,
}

impl DiscoveryLexicon {
    /// The lexicon that ships with havenwatch.
    pub fn builtin() -> Self {
        Self::from_toml(include_str!("../data/discovery.toml"))
            .expect("the built-in discovery lexicon is valid (tested)")
    }

    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    /// Whether a name contains a group noun.
    pub fn has_group_noun(&self, name: &str) -> bool {
        words(name).any(|w| self.group_nouns.contains(&w))
    }

    /// Cuts "Fighters of the" from "Fighters of the Free Hills Front": a run that opens with
    /// a word other than a group noun followed by "of" names what follows. "Army of the Pure"
    /// stays whole.
    pub fn trim_leading_of(&self, text: &str, run: NameRun) -> NameRun {
        let s = &text[run.start..run.end];
        let mut parts = s.splitn(2, ' ');
        let (Some(first), Some(rest)) = (parts.next(), parts.next()) else {
            return run;
        };
        if self.has_group_noun(first) {
            return run;
        }
        let after = rest
            .strip_prefix("of the ")
            .or_else(|| rest.strip_prefix("of "));
        match after {
            Some(after) if !after.is_empty() => NameRun {
                start: run.end - after.len(),
                end: run.end,
            },
            _ => run,
        }
    }

    /// Cuts a place phrase after a group's name: "Serrat Mountain Army in the Serrat
    /// Mountains" names the Serrat Mountain Army.
    pub fn trim_locative_tail(&self, text: &str, run: NameRun) -> NameRun {
        let s = &text[run.start..run.end];
        // A byte search for spaces: most runs are a word or two, where building a substring
        // searcher costs more than the search.
        let cut = s
            .match_indices(' ')
            .map(|(p, _)| p)
            .find(|&p| s[p..].starts_with(" in "));
        match cut {
            Some(cut) if self.has_group_noun(&s[..cut]) => NameRun {
                start: run.start,
                end: run.start + cut,
            },
            _ => run,
        }
    }

    /// Whether `word` is a place noun ("province", "State").
    pub fn is_place_noun(&self, word: &str) -> bool {
        self.place_nouns
            .iter()
            .any(|n| n.eq_ignore_ascii_case(word))
    }

    /// A place the text names that no gazetteer knows, for the name run `run`: the run with
    /// its capitalised place noun ("Kebbi State", "Osmar Province"), or the run alone when a
    /// lower-case place noun follows it after a locative preposition ("in Djugu territory")
    /// or when it follows "the town of" and the like. Returns the place's span and the
    /// evidence's span.
    pub fn place(&self, text: &str, run: NameRun) -> Option<(NameRun, (usize, usize))> {
        let name = &text[run.start..run.end];
        let last = name.rsplit(' ').next()?;
        // The context first: most name runs have no place noun near them, and the checks of
        // the name itself cost more.
        let found = self.place_in_context(text, run, last)?;
        let first = name.split(' ').next()?;
        if self
            .not_place_words
            .iter()
            .any(|w| w.eq_ignore_ascii_case(first))
            || name.contains(" of ")
            || name.contains(" the ")
            || self.has_group_noun(name)
            || self.has_agency_noun(name)
            || title_case_line(text, run.start)
        {
            return None;
        }
        Some(found)
    }

    fn place_in_context(
        &self,
        text: &str,
        run: NameRun,
        last: &str,
    ) -> Option<(NameRun, (usize, usize))> {
        let name = &text[run.start..run.end];
        // "Kebbi State": the noun is part of the name.
        if name.contains(' ') && self.is_place_noun(last) && !last.eq_ignore_ascii_case("area") {
            return Some((run, (run.start, run.end)));
        }
        // "in Djugu territory": a lower-case place noun after a name after a preposition.
        let after = &text[run.end..];
        let noun = after
            .strip_prefix(' ')
            .and_then(|a| a.split(|c: char| !c.is_alphabetic()).next())
            .filter(|w| w.chars().next().is_some_and(char::is_lowercase));
        let before = text[..run.start].trim_end();
        let word_before = before
            .rsplit(|c: char| !c.is_alphabetic())
            .next()
            .unwrap_or("");
        if let Some(noun) = noun {
            if self.is_place_noun(noun) && crate::one_of(word_before, &LOCATIVES) {
                return Some((run, (run.start, run.end + 1 + noun.len())));
            }
        }
        // "the town of Dravna", "the district of Lenz".
        if let Some(head) = before.strip_suffix(" of") {
            let noun = head.rsplit(' ').next().unwrap_or("");
            let article = head[..head.len() - noun.len()].trim_end();
            if noun.chars().next().is_some_and(char::is_lowercase)
                && self.is_place_noun(noun)
                && article.ends_with("the")
            {
                return Some((run, (head.len() - noun.len(), run.end)));
            }
        }
        None
    }

    /// Whether a name contains an agency noun.
    pub fn has_agency_noun(&self, name: &str) -> bool {
        words(name).any(|w| self.agency_nouns.contains(&w))
    }

    /// Whether every word of the name is a state-force word, a demonym, or satisfies
    /// `is_place` (a known location): "Pakistan Army", "Afghan National Army".
    pub fn is_state_force(&self, name: &str, is_place: impl Fn(&str) -> bool) -> bool {
        words(name).all(|w| {
            self.state_force_words.contains(&w) || self.demonyms.contains(&w) || is_place(&w)
        })
    }
}

/// Prepositions after which a name followed by a place noun is a place.
const LOCATIVES: [&str; 14] = [
    "in",
    "into",
    "across",
    "near",
    "around",
    "from",
    "throughout",
    "at",
    "to",
    "outside",
    "inside",
    "within",
    "towards",
    "toward",
];

/// Whether the line holding `at` is written in title case (a headline), where every name
/// run looks like a name.
fn title_case_line(text: &str, at: usize) -> bool {
    // A headline is a short line: look no further than this either side (and stay linear in
    // the text however many names it holds).
    const HEADLINE: usize = 200;
    let floor = text.floor_char_boundary(at.saturating_sub(HEADLINE));
    let start = match text[floor..at].rfind('\n') {
        Some(p) => floor + p + 1,
        None if floor == 0 => 0,
        None => return false,
    };
    let ceiling = text.ceil_char_boundary((at + HEADLINE).min(text.len()));
    let end = match text[at..ceiling].find('\n') {
        Some(p) => at + p,
        None if ceiling == text.len() => text.len(),
        None => return false,
    };
    let (mut long, mut capitalised) = (0, 0);
    for w in text[start..end].split_whitespace() {
        if w.len() > 3 {
            long += 1;
            if w.chars().next().is_some_and(char::is_uppercase) {
                capitalised += 1;
            }
        }
    }
    long >= 4 && capitalised * 10 >= long * 7
}

/// Drops words such as "The" or "In" that open a sentence, not a name.
pub fn trim_name_start(text: &str, run: NameRun) -> Option<NameRun> {
    let mut start = run.start;
    loop {
        let rest = &text[start..run.end];
        let first_len = rest.find(' ').unwrap_or(rest.len());
        let first = rest[..first_len].to_ascii_lowercase();
        if first_len < rest.len() && NOT_NAME_START.contains(&first.as_str()) {
            start += first_len + 1;
        } else {
            break;
        }
    }
    (start < run.end).then_some(NameRun {
        start,
        end: run.end,
    })
}

/// Schwartz and Hearst's test for an acronym's long form: the acronym's letters appear in
/// order in the long form, the first at the start of a word. Returns where the shortest such
/// long form starts within `long`.
pub fn acronym_long_form_start(acronym: &str, long: &str) -> Option<usize> {
    let short: Vec<char> = acronym
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let long_chars: Vec<(usize, char)> = long
        .char_indices()
        .map(|(i, c)| (i, c.to_lowercase().next().unwrap_or(c)))
        .collect();
    if short.len() < 2 || long_chars.is_empty() {
        return None;
    }
    let mut l = long_chars.len() as isize - 1;
    for (s, &c) in short.iter().enumerate().rev() {
        loop {
            if l < 0 {
                return None;
            }
            let (_, lc) = long_chars[l as usize];
            let at_word_start = l == 0 || !long_chars[l as usize - 1].1.is_alphanumeric();
            if lc == c && (s != 0 || at_word_start) {
                break;
            }
            l -= 1;
        }
        l -= 1;
    }
    let pos = long_chars[(l + 1) as usize].0;
    // Back to the start of that word.
    let word_start = long[..pos]
        .rfind([' ', '\u{a0}'])
        .map(|p| p + 1)
        .unwrap_or(0);
    Some(word_start)
}

/// `from + n`, or less, on a char boundary of `text`.
fn window_end(text: &str, from: usize, n: usize) -> usize {
    let mut end = text.len().min(from + n);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// Compiled patterns for discovery.
#[derive(Debug)]
pub struct DiscoveryPatterns {
    acronym_after: Regex,
    apposition_after: Regex,
}

impl Default for DiscoveryPatterns {
    fn default() -> Self {
        DiscoveryPatterns {
            acronym_after: Regex::new(r"^\s*\(\s*([A-Z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*)\s*\)")
                .expect("valid regex"),
            apposition_after: Regex::new(
                r"(?i)^(?:\s*\([A-Z][A-Za-z0-9-]{1,9}\))?\s*,\s+(?:a|an|the)\s+(?:[\w’'-]+\s+){0,4}?(?:militant|armed|insurgent|jihadist|jihadi|rebel|separatist|extremist|terrorist|islamist|paramilitary|splinter|breakaway|banned|proscribed|outlawed)(?:\s+[\w’'-]+){0,3}?\s+(?:group|organi[sz]ation|outfit|faction|movement|militia|network|alliance|coalition|offshoot|affiliate|wing|force)\b",
            )
            .expect("valid regex"),
        }
    }
}

impl DiscoveryPatterns {
    /// If the run is followed by "(ACR)" and the acronym fits it, the long form and the
    /// acronym's span.
    pub fn acronym_definition(
        &self,
        text: &str,
        run: NameRun,
    ) -> Option<(NameRun, (usize, usize))> {
        let after = &text[run.end..window_end(text, run.end, 24)];
        // Most names are not followed by a parenthesis: no regex for them.
        if !after.trim_start().starts_with('(') {
            return None;
        }
        let caps = self.acronym_after.captures(after)?;
        let m = caps.get(1)?;
        let acronym = m.as_str();
        if acronym.chars().filter(|c| c.is_uppercase()).count() < 2 {
            return None;
        }
        let long = &text[run.start..run.end];
        let start = acronym_long_form_start(acronym, long)?;
        let long_run = trim_name_start(
            text,
            NameRun {
                start: run.start + start,
                end: run.end,
            },
        )?;
        Some((long_run, (run.end + m.start(), run.end + m.end())))
    }

    /// If the run is followed by an apposition calling it an armed group, the description's
    /// span.
    pub fn apposition(&self, text: &str, run: NameRun) -> Option<(usize, usize)> {
        let after = &text[run.end..window_end(text, run.end, 160)];
        // An apposition opens with a comma (after an optional acronym): no regex otherwise.
        if !after.trim_start().starts_with([',', '(']) {
            return None;
        }
        let m = self.apposition_after.find(after)?;
        Some((run.end, run.end + m.end()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The character-by-character scan this module used before, to compare with.
    fn name_runs_reference(text: &str, out: &mut Vec<NameRun>) {
        out.clear();
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut run: Option<(usize, usize)> = None;
        let mut pending_connectors = 0usize;
        while i < bytes.len() {
            // Next word: letters, digits, hyphens, apostrophes.
            let word_start = i;
            let c = text[i..].chars().next().expect("in bounds");
            if !c.is_alphanumeric() {
                // A separator: anything other than plain spaces ends the run.
                if !(c == ' ' || c == '\u{a0}') {
                    if let Some((s, e)) = run.take() {
                        out.push(NameRun { start: s, end: e });
                    }
                    pending_connectors = 0;
                }
                i += c.len_utf8();
                continue;
            }
            let mut j = i;
            for (off, ch) in text[i..].char_indices() {
                if ch.is_alphanumeric()
                    || ((ch == '-' || havenwatch_core::text::is_apostrophe(ch) || ch == '.')
                        && text[i + off + ch.len_utf8()..]
                            .chars()
                            .next()
                            .is_some_and(|n| n.is_alphanumeric()))
                {
                    j = i + off + ch.len_utf8();
                } else {
                    break;
                }
            }
            let word = &text[word_start..j];
            if is_name_word(word) {
                match run.as_mut() {
                    Some((_, e)) => *e = j,
                    None => run = Some((word_start, j)),
                }
                pending_connectors = 0;
            } else if run.is_some()
                && pending_connectors < 2
                && is_connector(word, pending_connectors > 0)
            {
                pending_connectors += 1;
            } else {
                if let Some((s, e)) = run.take() {
                    out.push(NameRun { start: s, end: e });
                }
                pending_connectors = 0;
            }
            i = j;
        }
        if let Some((s, e)) = run {
            out.push(NameRun { start: s, end: e });
        }
    }

    #[test]
    fn name_runs_equal_the_character_by_character_scan() {
        let pieces = [
            "Tarvik",
            " ",
            "Liberation",
            "Front",
            "of",
            "the",
            "al-Qaida",
            "’s",
            "'",
            "Ansār",
            ".",
            ",",
            "U.S.",
            "\u{a0}",
            "—",
            "x-",
            "-Y",
            "İ",
            "2024",
            "(",
            "TTP",
            "`s",
            "and",
        ];
        for text in crate::random_texts(&pieces, 14, 2_000, 11) {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            name_runs(&text, &mut a);
            name_runs_reference(&text, &mut b);
            let spans = |v: &[NameRun]| v.iter().map(|r| (r.start, r.end)).collect::<Vec<_>>();
            assert_eq!(spans(&a), spans(&b), "{text:?}");
        }
    }

    fn runs(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        name_runs(text, &mut out);
        out.iter().map(|r| &text[r.start..r.end]).collect()
    }

    #[test]
    fn runs_join_capitalised_words_and_connectors() {
        assert_eq!(
            runs("Jama'at Nusrat al-Islam wal-Muslimin (JNIM) said"),
            vec!["Jama'at Nusrat al-Islam wal-Muslimin", "JNIM"]
        );
        assert_eq!(
            runs("Fighters of the Free Hills Liberation Front attacked Lashkar-e-Tayyiba posts in Kel Province."),
            vec!["Fighters of the Free Hills Liberation Front", "Lashkar-e-Tayyiba", "Kel Province"]
        );
        assert_eq!(
            runs("The Army of the Pure, said Mr. Dane."),
            vec!["The Army of the Pure", "Mr", "Dane"],
            "a full stop ends a run"
        );
    }

    #[test]
    fn acronym_long_forms() {
        let long = "Yesterday Free Hills Liberation Front";
        let s = acronym_long_form_start("FHLF", long).unwrap();
        assert_eq!(&long[s..], "Free Hills Liberation Front");
        let long = "Tehreek-e-Taliban Pakistan";
        assert_eq!(acronym_long_form_start("TTP", long), Some(0));
        assert_eq!(acronym_long_form_start("XYZ", "Free Hills Front"), None);
    }

    #[test]
    fn acronym_definition_and_apposition() {
        let p = DiscoveryPatterns::default();
        let text = "In March the Coastal Martyrs Brigade (CMB), a little-known militant outfit active in the delta, struck.";
        let mut out = Vec::new();
        name_runs(text, &mut out);
        let run = out
            .iter()
            .find(|r| text[r.start..r.end].contains("Brigade"))
            .copied()
            .unwrap();
        let (long, acr) = p.acronym_definition(text, run).unwrap();
        assert_eq!(&text[long.start..long.end], "Coastal Martyrs Brigade");
        assert_eq!(&text[acr.0..acr.1], "CMB");
        let (a, b) = p.apposition(text, run).unwrap();
        assert!(text[a..b].ends_with("militant outfit"), "{}", &text[a..b]);
        let lex = DiscoveryLexicon::builtin();
        assert!(lex.has_group_noun("Coastal Martyrs Brigade"));
        assert!(!lex.has_group_noun("Kel Province"));
        assert!(lex.is_state_force("Afghan National Army", |_| false));
        assert!(lex.is_state_force("Pakistan Army", |w| w == "pakistan"));
        assert!(!lex.is_state_force("Free Hills Army", |_| false));
        let text = "Fighters of the Free Hills Front and the Army of the Pure";
        let cut = lex.trim_leading_of(
            text,
            NameRun {
                start: 0,
                end: text.find(" and").unwrap(),
            },
        );
        assert_eq!(&text[cut.start..cut.end], "Free Hills Front");
        let whole = lex.trim_leading_of(
            text,
            NameRun {
                start: text.find("Army").unwrap(),
                end: text.len(),
            },
        );
        assert_eq!(&text[whole.start..whole.end], "Army of the Pure");
    }
}
