//! A learned judge of cue candidates: an averaged perceptron over a few features of the words
//! around a candidate, trained on PolNeAR's train split (`havenwatch train-attribution`).
//!
//! The hand-written lexicon knows the reporting verbs of news; PolNeAR also annotates beliefs,
//! intentions and evaluations ("wants", "called for", "agreed"), whose words are cues only in
//! some contexts. The model decides, for such a word where it occurs, whether it is one.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Feature weights, by feature name.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CueModel {
    pub weights: BTreeMap<String, f32>,
}

const FUNCTION_WORDS: &[&str] = &[
    "that", "to", "the", "a", "an", "in", "on", "for", "with", "by", "of", "and", "but", "it",
    "he", "she", "they", "we", "i", "his", "her", "their", "this", "is", "was", "has", "had",
    "have", "not", "as", "about", "if", "who", "which", "will", "would",
];

fn class(word: Option<&str>) -> String {
    let Some(w) = word else { return "END".into() };
    let lower = w.to_lowercase();
    if FUNCTION_WORDS.contains(&lower.as_str()) {
        return lower;
    }
    let first = w.chars().next().unwrap_or(' ');
    if matches!(first, '“' | '"' | '‘') {
        "QUOTE".into()
    } else if first == ',' {
        "COMMA".into()
    } else if first == ':' {
        "COLON".into()
    } else if first.is_ascii_digit() {
        "NUM".into()
    } else if first.is_uppercase() {
        "CAP".into()
    } else if first.is_alphabetic() {
        "low".into()
    } else {
        "PUNCT".into()
    }
}

/// Splits text into rough tokens: words, and punctuation marks on their own.
fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        if c.is_alphanumeric() || c == '\'' || c == '’' || c == '-' {
            start.get_or_insert(i);
        } else {
            if let Some(st) = start.take() {
                out.push(&s[st..i]);
            }
            if !c.is_whitespace() {
                out.push(&s[i..i + c.len_utf8()]);
            }
        }
    }
    if let Some(st) = start {
        out.push(&s[st..]);
    }
    out
}

/// The features of a candidate cue `text[cs..ce]` in the sentence `text[s..e]`, whose phrase
/// is a cue `probability` of the time it occurs.
pub fn features(
    text: &str,
    s: usize,
    e: usize,
    cs: usize,
    ce: usize,
    phrase: &str,
    probability: f64,
) -> Vec<String> {
    let before = tokens(&text[s..cs]);
    let after = tokens(&text[ce..e]);
    let prev = class(before.last().copied());
    let prev2 = class(before.len().checked_sub(2).map(|i| before[i]));
    let next = class(after.first().copied());
    let next2 = class(after.get(1).copied());
    let bucket = ((probability * 10.0).floor() as i32).clamp(0, 9);
    let mut f = vec![
        "bias".to_string(),
        format!("p={phrase}"),
        format!("pb={bucket}"),
        format!("prev={prev}"),
        format!("prev2={prev2}"),
        format!("next={next}"),
        format!("next2={next2}"),
        format!("p+next={phrase}|{next}"),
        format!("p+prev={phrase}|{prev}"),
        format!("prev+next={prev}|{next}"),
    ];
    let remaining = after
        .iter()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .count();
    if remaining <= 1 {
        f.push("at_end".into());
    }
    if before.is_empty() {
        f.push("at_start".into());
    }
    if text[s..e].contains(['“', '"']) {
        f.push("quote_in_sentence".into());
    }
    f
}

impl CueModel {
    pub fn score(&self, features: &[String]) -> f32 {
        features.iter().filter_map(|f| self.weights.get(f)).sum()
    }

    /// Trains an averaged perceptron on labelled examples, in the order given, for `epochs`
    /// passes. Deterministic.
    pub fn train(examples: &[(Vec<String>, bool)], epochs: usize) -> CueModel {
        let mut w: HashMap<&str, f64> = HashMap::new();
        let mut total: HashMap<&str, f64> = HashMap::new();
        let mut stamp: HashMap<&str, usize> = HashMap::new();
        let mut t = 0usize;
        for _ in 0..epochs {
            for (feats, label) in examples {
                t += 1;
                let score: f64 = feats.iter().filter_map(|f| w.get(f.as_str())).sum();
                let predicted = score > 0.0;
                if predicted != *label {
                    let y = if *label { 1.0 } else { -1.0 };
                    for f in feats {
                        let f = f.as_str();
                        let current = *w.get(f).unwrap_or(&0.0);
                        let since = t - stamp.get(f).copied().unwrap_or(0);
                        *total.entry(f).or_insert(0.0) += current * since as f64;
                        stamp.insert(f, t);
                        w.insert(f, current + y);
                    }
                }
            }
        }
        let mut weights = BTreeMap::new();
        for (f, current) in &w {
            let since = t - stamp.get(f).copied().unwrap_or(0);
            let avg =
                (total.get(f).copied().unwrap_or(0.0) + current * since as f64) / t.max(1) as f64;
            let rounded = (avg * 1000.0).round() / 1000.0;
            if rounded != 0.0 {
                weights.insert(f.to_string(), rounded as f32);
            }
        }
        CueModel { weights }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separable_rule() {
        let ex =
            |next: &str, label: bool| (vec!["bias".to_string(), format!("next={next}")], label);
        let examples = vec![
            ex("that", true),
            ex("low", false),
            ex("that", true),
            ex("low", false),
        ];
        let m = CueModel::train(&examples, 5);
        assert!(m.score(&examples[0].0) > 0.0);
        assert!(m.score(&examples[1].0) <= 0.0);
        let f = features("Officials said that it rained.", 0, 30, 10, 14, "said", 0.8);
        assert!(f.contains(&"next=that".to_string()), "{f:?}");
        assert!(f.contains(&"prev=CAP".to_string()), "{f:?}");
    }
}
