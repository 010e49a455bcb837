//! Scoring attributions against hand annotation in the PolNeAR layout (brat standoff).
//!
//! The annotation lines this reads: `T<n>\tSource|Cue|Content START END[;START END]\ttext`.
//! Offsets are characters (Unicode scalar values) of the article text. Discontinuous spans are
//! taken from their first start to their last end.

use crate::attribution::Attribution;
use serde::Serialize;

/// The three span roles of an attribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Source,
    Cue,
    Content,
}

/// Annotated spans of one article, by role, as character offsets.
#[derive(Clone, Debug, Default)]
pub struct GoldSpans {
    pub source: Vec<(usize, usize)>,
    pub cue: Vec<(usize, usize)>,
    pub content: Vec<(usize, usize)>,
}

/// Reads a brat `.ann` file. Lines that are not Source, Cue or Content spans are skipped.
pub fn parse_ann(ann: &str) -> Result<GoldSpans, String> {
    let mut gold = GoldSpans::default();
    for (n, line) in ann.lines().enumerate() {
        // Span lines are `T<digits>\t...`; annotated text may run over several lines.
        let is_span_line = line.split_once('\t').is_some_and(|(id, _)| {
            id.len() > 1 && id.starts_with('T') && id[1..].chars().all(|c| c.is_ascii_digit())
        });
        if !is_span_line {
            continue;
        }
        let mut fields = line.splitn(3, '\t');
        let (_, Some(spec)) = (fields.next(), fields.next()) else {
            return Err(format!("line {}: no annotation", n + 1));
        };
        let (role, ranges) = spec
            .split_once(' ')
            .ok_or(format!("line {}: no offsets", n + 1))?;
        let target = match role {
            "Source" => &mut gold.source,
            "Cue" => &mut gold.cue,
            "Content" => &mut gold.content,
            _ => continue,
        };
        let mut lo = usize::MAX;
        let mut hi = 0;
        for range in ranges.split(';') {
            let (a, b) = range
                .trim()
                .split_once(' ')
                .ok_or(format!("line {}: bad offsets `{range}`", n + 1))?;
            let a: usize = a
                .parse()
                .map_err(|_| format!("line {}: bad offset `{a}`", n + 1))?;
            let b: usize = b
                .parse()
                .map_err(|_| format!("line {}: bad offset `{b}`", n + 1))?;
            lo = lo.min(a);
            hi = hi.max(b);
        }
        target.push((lo, hi));
    }
    Ok(gold)
}

/// Predicted spans of one article by role, as character offsets.
pub fn predicted_spans(text: &str, attributions: &[Attribution]) -> GoldSpans {
    // index[b] = number of chars in text[..b].
    let mut index = vec![0usize; text.len() + 1];
    let mut count = 0;
    for (b, slot) in index.iter_mut().enumerate() {
        *slot = count;
        if b < text.len() && text.is_char_boundary(b) {
            count += 1;
        }
    }
    let c = |(a, b): (usize, usize)| (index[a], index[b]);
    let mut out = GoldSpans::default();
    for a in attributions {
        if let Some(s) = a.source {
            out.source.push(c(s));
        }
        out.cue.push(c(a.cue));
        out.content.push(c(a.content));
    }
    out
}

/// Precision, recall and F1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    pub fn from_counts(matched_pred: usize, pred: usize, matched_gold: usize, gold: usize) -> Self {
        let precision = if pred == 0 {
            0.0
        } else {
            matched_pred as f64 / pred as f64
        };
        let recall = if gold == 0 {
            0.0
        } else {
            matched_gold as f64 / gold as f64
        };
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Prf {
            precision,
            recall,
            f1,
        }
    }
}

/// Match counts for one role, exact and overlapping, summed over articles.
#[derive(Clone, Copy, Debug, Default)]
pub struct RoleCounts {
    pub gold: usize,
    pub predicted: usize,
    pub exact: usize,
    pub overlap: usize,
}

impl RoleCounts {
    /// Adds one article: spans are matched one to one, greedily in order.
    pub fn add(&mut self, gold: &[(usize, usize)], predicted: &[(usize, usize)]) {
        self.gold += gold.len();
        self.predicted += predicted.len();
        self.exact += match_count(gold, predicted, |g, p| g == p);
        self.overlap += match_count(gold, predicted, |g, p| g.0 < p.1 && p.0 < g.1);
    }

    pub fn exact(&self) -> Prf {
        Prf::from_counts(self.exact, self.predicted, self.exact, self.gold)
    }

    pub fn overlap(&self) -> Prf {
        Prf::from_counts(self.overlap, self.predicted, self.overlap, self.gold)
    }
}

fn match_count(
    gold: &[(usize, usize)],
    predicted: &[(usize, usize)],
    matches: impl Fn((usize, usize), (usize, usize)) -> bool,
) -> usize {
    let mut used = vec![false; gold.len()];
    let mut n = 0;
    for &p in predicted {
        if let Some(i) = (0..gold.len()).find(|&i| !used[i] && matches(gold[i], p)) {
            used[i] = true;
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_brat_spans_and_scores() {
        let ann = "T1\tSource 0 3\tThe\nT2\tCue 4 8\tsaid\nT3\tContent 9 12;14 20\tfoo\nThe bar\nE1\tAttribution:T2 Cue:T2\n";
        let g = parse_ann(ann).unwrap();
        assert_eq!(g.source, vec![(0, 3)]);
        assert_eq!(g.content, vec![(9, 20)]);
        let mut c = RoleCounts::default();
        c.add(&g.content, &[(9, 20), (10, 11), (30, 40)]);
        assert_eq!(c.exact().recall, 1.0);
        assert!((c.exact().precision - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(c.overlap, 1, "one to one");
    }

    #[test]
    fn byte_spans_become_char_spans() {
        let text = "é said “x”.";
        let a = Attribution {
            source: Some((0, 2)),
            cue: (3, 7),
            content: (8, 15),
            class: crate::attribution::CueClass::Reporting,
        };
        let p = predicted_spans(text, &[a]);
        assert_eq!(p.source, vec![(0, 1)]);
        assert_eq!(p.cue, vec![(2, 6)]);
    }
}

/// A cue learned from annotated text: how often the phrase is a cue where it occurs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LearnedCue {
    pub phrase: String,
    /// Times annotated as a cue.
    pub cue: usize,
    /// Times the phrase occurs (as whole words, any case).
    pub occurrences: usize,
}

impl LearnedCue {
    pub fn probability(&self) -> f64 {
        self.cue as f64 / self.occurrences.max(1) as f64
    }
}

/// Learns cue phrases from annotated articles (text, gold spans in characters): every cue
/// span of at most three words seen at least `min_count` times, with how often its phrase is
/// a cue where it occurs. Deterministic: sorted by count, then phrase.
pub fn learn_cues(articles: &[(String, GoldSpans)], min_count: usize) -> Vec<LearnedCue> {
    use std::collections::BTreeMap;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (text, gold) in articles {
        let chars: Vec<char> = text.chars().collect();
        for &(a, b) in &gold.cue {
            if b > chars.len() || a >= b {
                continue;
            }
            let phrase: String = chars[a..b].iter().collect::<String>().to_lowercase();
            let words: Vec<&str> = phrase.split_whitespace().collect();
            if words.is_empty()
                || words.len() > 3
                || !words.iter().all(|w| {
                    w.chars()
                        .all(|c| c.is_alphabetic() || c == '\'' || c == '’')
                })
            {
                continue;
            }
            *counts.entry(words.join(" ")).or_default() += 1;
        }
    }
    let phrases: Vec<String> = counts
        .iter()
        .filter(|(_, &c)| c >= min_count)
        .map(|(p, _)| p.clone())
        .collect();
    if phrases.is_empty() {
        return Vec::new();
    }
    let automaton = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&phrases)
        .expect("phrases build an automaton");
    let mut occurrences = vec![0usize; phrases.len()];
    for (text, _) in articles {
        for m in automaton.find_overlapping_iter(text.as_str()) {
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            if !before.is_some_and(char::is_alphanumeric)
                && !after.is_some_and(char::is_alphanumeric)
            {
                occurrences[m.pattern().as_usize()] += 1;
            }
        }
    }
    let mut out: Vec<LearnedCue> = phrases
        .into_iter()
        .zip(occurrences)
        .map(|(phrase, occurrences)| LearnedCue {
            cue: counts[&phrase],
            phrase,
            occurrences,
        })
        .collect();
    out.sort_by(|a, b| b.cue.cmp(&a.cue).then_with(|| a.phrase.cmp(&b.phrase)));
    out
}

/// Training examples for the cue model: every occurrence of a candidate phrase in the
/// articles' sentences, with its features, labelled by whether it overlaps an annotated cue.
pub fn cue_examples(
    articles: &[(String, GoldSpans)],
    candidates: &std::collections::HashMap<String, f64>,
) -> Vec<(Vec<String>, bool)> {
    let mut phrases: Vec<&String> = candidates.keys().collect();
    phrases.sort();
    let automaton = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(&phrases)
        .expect("phrases build an automaton");
    let mut out = Vec::new();
    for (text, gold) in articles {
        // Gold cue spans in bytes.
        let byte_of: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain(std::iter::once(text.len()))
            .collect();
        let cues: Vec<(usize, usize)> = gold
            .cue
            .iter()
            .filter(|(a, b)| *a < byte_of.len() && *b < byte_of.len())
            .map(|&(a, b)| (byte_of[a], byte_of[b]))
            .collect();
        for (s, e) in crate::sentences::split_sentences(text) {
            for m in automaton.find_iter(&text[s..e]) {
                let (cs, ce) = (s + m.start(), s + m.end());
                let before = text[..cs].chars().next_back();
                let after = text[ce..].chars().next();
                if before.is_some_and(char::is_alphanumeric)
                    || after.is_some_and(char::is_alphanumeric)
                {
                    continue;
                }
                let phrase = phrases[m.pattern().as_usize()];
                let label = cues.iter().any(|&(a, b)| a < ce && cs < b);
                out.push((
                    crate::cue_model::features(text, s, e, cs, ce, phrase, candidates[phrase]),
                    label,
                ));
            }
        }
    }
    out
}
