//! Fighter and member counts, vague or exact, normalised to low/high integers.
//!
//! "about 6,500" -> 6500..6500; "between 3,000 and 5,000" -> 3000..5000; "thousands" ->
//! 2000..9999; "several hundred" -> 200..999; "dozens" -> 24..99; "up to 3,000" -> 0..3000;
//! "more than 1,000" -> 1001..(none).

use regex::Regex;

/// A count found in text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Count {
    pub low: Option<u64>,
    pub high: Option<u64>,
    /// `fighters`, `foreign_fighters` or `members`.
    pub unit: &'static str,
    /// Byte span of the whole expression.
    pub span: (usize, usize),
}

/// Compiled count patterns.
#[derive(Debug)]
pub struct CountFinder {
    unit_after: Regex,
    unit_before: Regex,
}

const NUMBER: &str = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:\s*(?:thousand|million))?|several hundred|a few hundred|hundreds|several thousand|a few thousand|thousands|tens of thousands|dozens|a few dozen|several dozen|scores)";
const QUALIFIER: &str = r"(?:about|around|roughly|approximately|some|nearly|almost|more than|over|at least|up to|fewer than|less than|as many as|an estimated|estimated|between|perhaps)";

impl Default for CountFinder {
    fn default() -> Self {
        let range = format!(
            r"(?i)(?P<q>{QUALIFIER}\s+)?(?P<a>{NUMBER})(?:\s*(?:to|-|–|and)\s*(?P<b>{NUMBER}))?"
        );
        CountFinder {
            unit_after: Regex::new(&format!(
                r"{range}\s+(?:[a-z-]+\s+){{0,2}}?(?P<u>foreign fighters|fighters|militants|combatants|insurgents|members|operatives|cadres|recruits|men|jihadists)\b"
            ))
            .expect("valid regex"),
            unit_before: Regex::new(&format!(
                r"(?i)\b(?P<u>membership|strength|fighters|members|ranks)\b[^.;]{{0,40}}?\b(?:as|at|number|numbers|numbering|stood at|stands at|total|totals|estimated at|put at|is|was|are|were|reached|remains|remained)\s+{}",
                range.trim_start_matches("(?i)")
            ))
            .expect("valid regex"),
        }
    }
}

/// Words that, right before a count or right after it, make it a count of casualties or
/// captives.
const CASUALTY_WORDS: [&str; 30] = [
    "killed",
    "killing",
    "kills",
    "kill",
    "wounded",
    "wounding",
    "injured",
    "injuring",
    "arrested",
    "arresting",
    "arrests",
    "detained",
    "detaining",
    "captured",
    "capturing",
    "neutralised",
    "neutralized",
    "eliminated",
    "eliminating",
    "surrendered",
    "executed",
    "abducted",
    "kidnapped",
    "freed",
    "released",
    "died",
    "dead",
    "deaths",
    "bodies",
    "slain",
];

/// Whether the count at `span` (within a sentence starting at `s`) counts casualties or
/// captives: "killed 30 militants", "30 fighters were killed".
fn casualty_count(text: &str, s: usize, span: (usize, usize)) -> bool {
    let is_casualty = |w: &str| {
        let w = w.trim_matches(|c: char| !c.is_alphabetic());
        crate::one_of(w, &CASUALTY_WORDS)
    };
    text[s..span.0]
        .split_whitespace()
        .rev()
        .take(3)
        .any(is_casualty)
        || {
            // The next three words, within the sentence.
            let mut words = text[span.1..].split_whitespace().take(3);
            let mut hit = false;
            for w in words.by_ref() {
                if is_casualty(w) {
                    hit = true;
                }
                if hit || w.ends_with(['.', ';']) {
                    break;
                }
            }
            hit
        }
}

fn parse_number(s: &str) -> Option<(u64, u64)> {
    let t = s.trim().to_lowercase();
    let vague = match t.as_str() {
        "several hundred" | "a few hundred" | "hundreds" => Some((200, 999)),
        "several thousand" | "a few thousand" | "thousands" => Some((2000, 9999)),
        "tens of thousands" => Some((20000, 99999)),
        "dozens" | "several dozen" | "scores" => Some((24, 99)),
        "a few dozen" => Some((24, 60)),
        _ => None,
    };
    if vague.is_some() {
        return vague;
    }
    let (num, mult) = if let Some(n) = t.strip_suffix("thousand") {
        (n.trim(), 1000.0)
    } else if let Some(n) = t.strip_suffix("million") {
        (n.trim(), 1_000_000.0)
    } else {
        (t.as_str(), 1.0)
    };
    let v: f64 = num.replace(',', "").parse().ok()?;
    let v = (v * mult).round() as u64;
    Some((v, v))
}

impl CountFinder {
    /// Every count in `text[s..e]`, with byte spans into `text`.
    pub fn find(&self, text: &str, s: usize, e: usize) -> Vec<Count> {
        let mut out: Vec<Count> = Vec::new();
        let slice = &text[s..e];
        // Most sentences hold no number at all: skip the regexes for them.
        let has_number = slice.bytes().any(|b| b.is_ascii_digit())
            || ["hundred", "thousand", "dozen", "scores", "million"]
                .iter()
                .any(|w| slice.contains(w));
        if !has_number {
            return out;
        }
        for re in [&self.unit_after, &self.unit_before] {
            let mut at = 0;
            while let Some(c) = re.captures_at(slice, at) {
                let whole = c.get(0).expect("match");
                at = whole.end();
                let span = (s + whole.start(), s + whole.end());
                if out.iter().any(|o| o.span.0 < span.1 && span.0 < o.span.1) {
                    // "6,000 fighters, while another estimated its strength at 2,000": a match
                    // that starts in a count already taken may hide the next one; search on
                    // from the character after its start.
                    at = whole.start()
                        + slice[whole.start()..]
                            .chars()
                            .next()
                            .map_or(1, char::len_utf8);
                    continue;
                }
                let a = c.name("a").expect("group a").as_str();
                // A bare year ("in 2017 two men ...") is no count.
                if a.len() == 4
                    && a.chars().all(|ch| ch.is_ascii_digit())
                    && (1900..=2100).contains(&a.parse::<u32>().unwrap_or(0))
                {
                    continue;
                }
                let Some((mut low, high)) = parse_number(a) else {
                    continue;
                };
                let mut high = high;
                if let Some((_, bh)) = c.name("b").and_then(|b| parse_number(b.as_str())) {
                    high = bh;
                }
                let (mut low_o, mut high_o) = (Some(low), Some(high));
                match c
                    .name("q")
                    .map(|q| q.as_str().trim().to_lowercase())
                    .as_deref()
                {
                    Some("up to") | Some("as many as") => low_o = Some(0),
                    Some("fewer than") | Some("less than") => {
                        low_o = Some(0);
                        high_o = Some(high.saturating_sub(1));
                    }
                    Some("more than") | Some("over") => {
                        low += 1;
                        low_o = Some(low);
                        high_o = None;
                    }
                    Some("at least") => high_o = None,
                    _ => {}
                }
                let unit_word = c
                    .name("u")
                    .map(|u| u.as_str().to_lowercase())
                    .unwrap_or_default();
                let unit = match unit_word.as_str() {
                    "foreign fighters" => "foreign_fighters",
                    "members" | "membership" | "operatives" | "cadres" | "ranks" => "members",
                    _ => "fighters",
                };
                // Years and small numbers next to "men" are not strengths.
                if unit_word == "men" && high < 50 {
                    continue;
                }
                // "killed 30 militants", "20 fighters were arrested": casualties and captives,
                // not the group's strength.
                if casualty_count(text, s, span) {
                    continue;
                }
                out.push(Count {
                    low: low_o,
                    high: high_o,
                    unit,
                    span,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(text: &str) -> Vec<(Option<u64>, Option<u64>, &'static str)> {
        CountFinder::default()
            .find(text, 0, text.len())
            .into_iter()
            .map(|c| (c.low, c.high, c.unit))
            .collect()
    }

    #[test]
    fn casualties_and_captives_are_no_strength() {
        assert!(counts("The army said it killed 30 ISWAP militants near the lake.").is_empty());
        assert!(counts("Some 20 fighters were arrested in the raid.").is_empty());
        assert!(counts("In all, 30 fighters were killed.").is_empty());
        assert!(counts("Police detained about 40 members of the group.").is_empty());
        assert_eq!(
            counts("The group has about 400 fighters, and five were killed."),
            vec![(Some(400), Some(400), "fighters")]
        );
    }

    #[test]
    fn counts_and_ranges() {
        assert_eq!(
            counts("the group has about 6,500 fighters"),
            vec![(Some(6500), Some(6500), "fighters")]
        );
        assert_eq!(
            counts("between 3,000 and 5,000 militants"),
            vec![(Some(3000), Some(5000), "fighters")]
        );
        assert_eq!(
            counts("counted several hundred members"),
            vec![(Some(200), Some(999), "members")]
        );
        assert_eq!(
            counts("thousands of foreign fighters"),
            vec![(Some(2000), Some(9999), "foreign_fighters")]
        );
        // A second figure whose unit word is the first's is still found.
        assert_eq!(
            counts("had between 4,000 and 6,000 fighters, while another estimated its strength at around 2,000"),
            vec![
                (Some(4000), Some(6000), "fighters"),
                (Some(2000), Some(2000), "fighters")
            ]
        );
        assert_eq!(
            counts("up to 3,000 fighters"),
            vec![(Some(0), Some(3000), "fighters")]
        );
        assert_eq!(
            counts("more than 1,000 fighters"),
            vec![(Some(1001), None, "fighters")]
        );
        assert_eq!(
            counts("the group's strength was between 4,000 and 6,000"),
            vec![(Some(4000), Some(6000), "fighters")]
        );
        // "fighters by the tens of thousands" are no count of the group's own.
        assert!(counts("claimed the lives of fighters by the tens of thousands").is_empty());
        assert_eq!(
            counts("gives its current membership as 1,000 to 2,200"),
            vec![(Some(1000), Some(2200), "members")]
        );
        assert_eq!(
            counts("whose fighters are estimated to number 6,000 to 6,500"),
            vec![(Some(6000), Some(6500), "fighters")]
        );
        assert_eq!(
            counts("dozens of fighters"),
            vec![(Some(24), Some(99), "fighters")]
        );
        assert_eq!(
            counts("fewer than 200 members"),
            vec![(Some(0), Some(199), "members")]
        );
        assert_eq!(counts("In 2017 two men were seen"), vec![]);
    }
}
