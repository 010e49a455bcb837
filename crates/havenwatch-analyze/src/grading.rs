//! The NATO Admiralty code: source reliability A to F, information credibility 1 to 6.

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// How reliable a source is, as the analyst judges it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Reliability {
    /// Completely reliable.
    A,
    /// Usually reliable.
    B,
    /// Fairly reliable.
    C,
    /// Not usually reliable.
    D,
    /// Unreliable.
    E,
    /// Reliability cannot be judged.
    F,
}

impl Reliability {
    pub fn words(self) -> &'static str {
        match self {
            Reliability::A => "completely reliable source",
            Reliability::B => "usually reliable source",
            Reliability::C => "fairly reliable source",
            Reliability::D => "not usually reliable source",
            Reliability::E => "unreliable source",
            Reliability::F => "source whose reliability cannot be judged",
        }
    }

    fn factor(self) -> f64 {
        match self {
            Reliability::A => 1.0,
            Reliability::B => 0.95,
            Reliability::C => 0.85,
            Reliability::D => 0.7,
            Reliability::E => 0.5,
            Reliability::F => 0.75,
        }
    }
}

impl FromStr for Reliability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.trim() {
            "A" => Reliability::A,
            "B" => Reliability::B,
            "C" => Reliability::C,
            "D" => Reliability::D,
            "E" => Reliability::E,
            "F" => Reliability::F,
            other => return Err(format!("`{other}` is not a reliability grade (A to F)")),
        })
    }
}

/// How credible the information is, from its corroboration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Credibility {
    /// Confirmed by other independent origins.
    Confirmed = 1,
    /// One origin, not contradicted, not hedged.
    ProbablyTrue = 2,
    /// Hedged, or contradicted by fewer origins than confirm it.
    PossiblyTrue = 3,
    /// Contradicted at least as much as it is supported.
    Doubtful = 4,
    /// Only denied or negated.
    Improbable = 5,
    /// Cannot be judged.
    CannotBeJudged = 6,
}

impl Credibility {
    pub fn words(self) -> &'static str {
        match self {
            Credibility::Confirmed => "confirmed",
            Credibility::ProbablyTrue => "probably true",
            Credibility::PossiblyTrue => "possibly true",
            Credibility::Doubtful => "doubtful",
            Credibility::Improbable => "improbable",
            Credibility::CannotBeJudged => "truth cannot be judged",
        }
    }

    fn score(self) -> f64 {
        match self {
            Credibility::Confirmed => 92.0,
            Credibility::ProbablyTrue => 75.0,
            Credibility::PossiblyTrue => 55.0,
            Credibility::Doubtful => 30.0,
            Credibility::Improbable => 10.0,
            Credibility::CannotBeJudged => 50.0,
        }
    }

    /// Grades what the independent origins say: `support` origins assert it (of which
    /// `hedged` only with hedges), `contradict` origins deny or negate it.
    pub fn judge(support: usize, hedged: usize, contradict: usize) -> Credibility {
        match (support, contradict) {
            (0, 0) => Credibility::CannotBeJudged,
            (0, _) => Credibility::Improbable,
            (s, c) if c >= s => Credibility::Doubtful,
            (s, c) if s >= 2 && c == 0 && hedged < s => Credibility::Confirmed,
            (s, _) if hedged >= s => Credibility::PossiblyTrue,
            (_, c) if c > 0 => Credibility::PossiblyTrue,
            _ => Credibility::ProbablyTrue,
        }
    }
}

/// An Admiralty grade, with its explanation and its mappings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Grade {
    pub reliability: Reliability,
    pub credibility: Credibility,
}

impl Grade {
    /// `B2`.
    pub fn code(&self) -> String {
        format!("{:?}{}", self.reliability, self.credibility as u8)
    }

    /// 0 to 100, for STIX `confidence`.
    pub fn confidence(&self) -> u8 {
        (self.credibility.score() * self.reliability.factor()).round() as u8
    }

    /// Words of estimative probability for briefs.
    pub fn estimative(&self) -> &'static str {
        match self.confidence() {
            90..=100 => "almost certainly",
            75..=89 => "very likely",
            55..=74 => "likely",
            45..=54 => "roughly as likely as not",
            20..=44 => "unlikely",
            _ => "very unlikely",
        }
    }

    /// "B2: usually reliable source, probably true (1 independent origin, not contradicted)".
    pub fn explain(&self, origins: usize, contradicting: usize) -> String {
        let contradiction = match contradicting {
            0 => "not contradicted".to_string(),
            1 => "contradicted by 1 origin".to_string(),
            n => format!("contradicted by {n} origins"),
        };
        format!(
            "{}: {}, {} ({} independent origin{}, {})",
            self.code(),
            self.reliability.words(),
            self.credibility.words(),
            origins,
            if origins == 1 { "" } else { "s" },
            contradiction
        )
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credibility_from_corroboration() {
        assert_eq!(Credibility::judge(2, 0, 0), Credibility::Confirmed);
        assert_eq!(Credibility::judge(1, 0, 0), Credibility::ProbablyTrue);
        assert_eq!(Credibility::judge(1, 1, 0), Credibility::PossiblyTrue);
        assert_eq!(Credibility::judge(3, 0, 1), Credibility::PossiblyTrue);
        assert_eq!(Credibility::judge(1, 0, 1), Credibility::Doubtful);
        assert_eq!(Credibility::judge(0, 0, 2), Credibility::Improbable);
        let g = Grade {
            reliability: Reliability::B,
            credibility: Credibility::ProbablyTrue,
        };
        assert_eq!(g.code(), "B2");
        assert_eq!(
            g.explain(1, 0),
            "B2: usually reliable source, probably true (1 independent origin, not contradicted)"
        );
        assert!(g.confidence() > 60 && g.confidence() < 80);
        assert_eq!(g.estimative(), "likely");
    }
}
