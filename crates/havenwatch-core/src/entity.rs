//! Entities: armed groups, authorities, states, agencies, publications, people and places.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A stable entity id. Gazetteer entries carry their own (`un:QDe.132`, `place:pakistan`);
/// groups discovered in text get `prov:<normalised name>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntityId(pub String);

impl EntityId {
    pub fn new(id: impl Into<String>) -> Self {
        EntityId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An unknown value for one of the model's closed vocabularies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}` (expected one of: {expected})")]
pub struct ParseEnumError {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static str,
}

/// Entity types, exactly the vocabulary of the claim schema (`corpus/SCHEMA.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    ArmedGroup,
    /// A government or de facto authority (e.g. the Taliban as rulers).
    Authority,
    /// A country acting as an actor.
    State,
    /// An intelligence service, UN body, ministry or think tank.
    Agency,
    /// A news outlet or journal.
    Publication,
    /// A person as named in reporting (leaders, spokespeople); never a private individual.
    Person,
    /// A country, province, city or region as a place.
    Location,
}

impl EntityType {
    pub const ALL: [EntityType; 7] = [
        EntityType::ArmedGroup,
        EntityType::Authority,
        EntityType::State,
        EntityType::Agency,
        EntityType::Publication,
        EntityType::Person,
        EntityType::Location,
    ];
    const EXPECTED: &'static str =
        "armed_group, authority, state, agency, publication, person, location";

    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::ArmedGroup => "armed_group",
            EntityType::Authority => "authority",
            EntityType::State => "state",
            EntityType::Agency => "agency",
            EntityType::Publication => "publication",
            EntityType::Person => "person",
            EntityType::Location => "location",
        }
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntityType {
    type Err = ParseEnumError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EntityType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| ParseEnumError {
                what: "entity type",
                value: s.to_string(),
                expected: Self::EXPECTED,
            })
    }
}

/// Where an entity stands with the analyst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityStatus {
    /// From a gazetteer (a sanctions list, the curated list, a user's own file).
    Known,
    /// Discovered in text by a rule; waits for an analyst to confirm or merge it.
    Provisional,
    /// Discovered in text and confirmed by an analyst.
    Confirmed,
}

impl EntityStatus {
    const EXPECTED: &'static str = "known, provisional, confirmed";

    pub fn as_str(self) -> &'static str {
        match self {
            EntityStatus::Known => "known",
            EntityStatus::Provisional => "provisional",
            EntityStatus::Confirmed => "confirmed",
        }
    }
}

impl fmt::Display for EntityStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntityStatus {
    type Err = ParseEnumError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "known" => Ok(EntityStatus::Known),
            "provisional" => Ok(EntityStatus::Provisional),
            "confirmed" => Ok(EntityStatus::Confirmed),
            _ => Err(ParseEnumError {
                what: "entity status",
                value: s.to_string(),
                expected: Self::EXPECTED,
            }),
        }
    }
}

/// An identifier in someone else's register, e.g. scheme `un`, value `QDe.132`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ExternalId {
    pub scheme: String,
    pub value: String,
}

/// An actor or place that reports talk about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    pub id: EntityId,
    /// Canonical name (the UN list spelling, in readable case, where one exists).
    pub name: String,
    #[serde(rename = "type")]
    pub entity_type: EntityType,
    pub aliases: Vec<String>,
    pub external_ids: Vec<ExternalId>,
    pub status: EntityStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_types_round_trip_through_their_schema_names() {
        for t in EntityType::ALL {
            assert_eq!(t.as_str().parse::<EntityType>().unwrap(), t);
            let json = serde_json_string(t);
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        let err = "militia".parse::<EntityType>().unwrap_err();
        assert!(err.to_string().contains("militia"));
        assert!(err.to_string().contains("armed_group"));
    }

    fn serde_json_string(t: EntityType) -> String {
        serde_json::to_string(&t).unwrap()
    }
}
