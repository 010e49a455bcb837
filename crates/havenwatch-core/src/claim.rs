//! Claims: who asserts what about whom, how hedged, through whom.
//!
//! The vocabulary follows the gold schema (`corpus/SCHEMA.md`): eleven predicates between
//! actors and places, six modalities, a negation flag, and the reporting chain from the
//! outermost asserting party to the innermost.

use crate::{EntityId, ParseEnumError, Span};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ParseEnumError {
                        what: $what,
                        value: s.to_string(),
                        expected: concat!($($text, " "),+),
                    }),
                }
            }
        }
    };
}

vocabulary!(
    /// What a claim says about its subject.
    Predicate, "predicate", {
        OperatesIn => "operates_in",
        Supports => "supports",
        CooperatesWith => "cooperates_with",
        HostileTo => "hostile_to",
        Attacks => "attacks",
        HasStrength => "has_strength",
        MaintainsInfrastructure => "maintains_infrastructure",
        Threatens => "threatens",
        ActsAgainst => "acts_against",
        Shelters => "shelters",
        Designates => "designates",
    }
);

impl Predicate {
    /// Symmetric predicates hold in both directions; they are stored once.
    pub fn is_symmetric(self) -> bool {
        matches!(self, Predicate::CooperatesWith | Predicate::HostileTo)
    }

    /// Whether the predicate takes an object (`has_strength` takes a value instead).
    pub fn takes_object(self) -> bool {
        !matches!(self, Predicate::HasStrength)
    }
}

vocabulary!(
    /// How the asserting party holds the claim.
    Modality, "modality", {
        Asserted => "asserted",
        Reported => "reported",
        Alleged => "alleged",
        Assessed => "assessed",
        Denied => "denied",
        Speculative => "speculative",
    }
);

/// An entity as a claim refers to it: its id and the name it had when the claim was made.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EntityRef {
    pub id: EntityId,
    pub name: String,
}

/// Details a claim carries beyond subject and object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qualifiers {
    /// Kinds of support (`training`, `weapons`, `funding`, ...), for `supports`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub support_type: Vec<String>,
    /// When it happened, as written or ISO 8601 when normalised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// People killed, for `attacks`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub killed: Option<u64>,
    /// Lower and upper bound of a count, for `has_strength`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<u64>,
    /// `fighters`, `foreign_fighters` or `members`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Kind of infrastructure (`training camp`, `safe house`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// Who asserts a claim: a known entity, or a party the text names without a gazetteer entry
/// ("officials", "one analyst").
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Source {
    /// The entity, when the source resolves to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<EntityId>,
    /// The name as the claim shows it.
    pub name: String,
}

/// One proposition as a text asserts it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub subject: EntityRef,
    pub predicate: Predicate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<EntityRef>,
    #[serde(default)]
    pub qualifiers: Qualifiers,
    /// The innermost asserting party; the publisher when the text speaks in its own voice.
    pub source: Source,
    /// The reporting chain, outermost first, publisher excluded.
    pub via: Vec<Source>,
    pub modality: Modality,
    /// The proposition itself is negative ("has not taken action against").
    pub negated: bool,
    /// The sentence or clause that carries the claim, as a byte span of the document.
    pub evidence: Span,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip() {
        for p in Predicate::ALL {
            assert_eq!(p.as_str().parse::<Predicate>().unwrap(), *p);
        }
        for m in Modality::ALL {
            assert_eq!(m.as_str().parse::<Modality>().unwrap(), *m);
        }
        assert!("supported".parse::<Predicate>().is_err());
        assert!(Predicate::HostileTo.is_symmetric());
        assert!(!Predicate::Supports.is_symmetric());
    }
}
