//! Traffic Light Protocol 2.0 markings: who may see a document, and so every claim and finding
//! it supports.
//!
//! The levels are ordered from least to most restrictive, so "at least as strict as" is `>=`
//! and a reader cleared for a level may see everything at or below it.

use crate::ParseEnumError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A TLP 2.0 marking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Tlp {
    #[serde(rename = "clear")]
    Clear,
    #[serde(rename = "green")]
    Green,
    #[serde(rename = "amber")]
    Amber,
    #[serde(rename = "amber+strict")]
    AmberStrict,
    #[serde(rename = "red")]
    Red,
}

impl Tlp {
    pub const ALL: [Tlp; 5] = [
        Tlp::Clear,
        Tlp::Green,
        Tlp::Amber,
        Tlp::AmberStrict,
        Tlp::Red,
    ];

    /// The lowercase name used in files and on the command line (`amber+strict`).
    pub fn as_str(self) -> &'static str {
        match self {
            Tlp::Clear => "clear",
            Tlp::Green => "green",
            Tlp::Amber => "amber",
            Tlp::AmberStrict => "amber+strict",
            Tlp::Red => "red",
        }
    }

    /// The label as TLP 2.0 writes it (`TLP:AMBER+STRICT`).
    pub fn label(self) -> String {
        format!("TLP:{}", self.as_str().to_uppercase())
    }

    /// The rank stored in databases: 0 (CLEAR) to 4 (RED).
    pub fn rank(self) -> i64 {
        self as i64
    }

    pub fn from_rank(rank: i64) -> Option<Tlp> {
        Tlp::ALL.get(usize::try_from(rank).ok()?).copied()
    }

    /// The id of the standard STIX 2.1 marking-definition object for this level.
    pub fn stix_marking_id(self) -> &'static str {
        match self {
            Tlp::Clear => "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
            Tlp::Green => "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
            Tlp::Amber => "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
            Tlp::AmberStrict => "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
            Tlp::Red => "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        }
    }

    /// The level a STIX marking-definition id stands for, if it is a TLP 2.0 one.
    pub fn from_stix_marking_id(id: &str) -> Option<Tlp> {
        Tlp::ALL.into_iter().find(|t| t.stix_marking_id() == id)
    }

    /// Whether a reader cleared for `clearance` may see something marked `self`.
    pub fn visible_to(self, clearance: Tlp) -> bool {
        self <= clearance
    }
}

impl fmt::Display for Tlp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Tlp {
    type Err = ParseEnumError;
    /// Accepts `amber+strict`, `AMBER+STRICT`, `TLP:AMBER+STRICT`, `amber_strict`; `white` is
    /// TLP 1.0's name for CLEAR.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let bare = lower
            .strip_prefix("tlp:")
            .unwrap_or(&lower)
            .replace('_', "+");
        match bare.as_str() {
            "clear" | "white" => Ok(Tlp::Clear),
            "green" => Ok(Tlp::Green),
            "amber" => Ok(Tlp::Amber),
            "amber+strict" => Ok(Tlp::AmberStrict),
            "red" => Ok(Tlp::Red),
            _ => Err(ParseEnumError {
                what: "TLP marking",
                value: s.to_string(),
                expected: "clear green amber amber+strict red",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_names() {
        assert!(
            Tlp::Clear < Tlp::Green && Tlp::Amber < Tlp::AmberStrict && Tlp::AmberStrict < Tlp::Red
        );
        assert!(Tlp::Green.visible_to(Tlp::Amber));
        assert!(!Tlp::Red.visible_to(Tlp::AmberStrict));
        for t in Tlp::ALL {
            assert_eq!(t.as_str().parse::<Tlp>().unwrap(), t);
            assert_eq!(t.label().parse::<Tlp>().unwrap(), t);
            assert_eq!(Tlp::from_rank(t.rank()), Some(t));
            assert_eq!(Tlp::from_stix_marking_id(t.stix_marking_id()), Some(t));
        }
        assert_eq!("TLP:WHITE".parse::<Tlp>().unwrap(), Tlp::Clear);
        assert!("orange".parse::<Tlp>().is_err());
        assert_eq!(
            serde_json::to_string(&Tlp::AmberStrict).unwrap(),
            "\"amber+strict\""
        );
    }
}
