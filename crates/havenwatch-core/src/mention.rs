//! Mentions: where in a document an entity is named.

use crate::{DocumentId, EntityId};
use serde::{Deserialize, Serialize};

/// A byte range `[start, end)` into a document's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// How a mention was found. Anything other than [`MentionRule::Gazetteer`] is evidence for a
/// group that no list knew, which an analyst can later confirm or merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MentionRule {
    /// An alias from the gazetteer (or from an entity already in the store).
    Gazetteer,
    /// An acronym the text defines itself: "Long Name (LN)", and later uses of "LN".
    Acronym,
    /// An apposition that says what the name is: "X, a militant group active in ...".
    Apposition,
    /// A capitalised name headed by a group noun: "... Liberation Front", "Lashkar-e-...".
    GroupNoun,
    /// A place named by a place noun: "Kebbi State", "in Djugu territory", "the town of X".
    PlaceNoun,
    /// Named by an object in a partner's STIX bundle.
    Stix,
}

impl MentionRule {
    pub fn as_str(self) -> &'static str {
        match self {
            MentionRule::Gazetteer => "gazetteer",
            MentionRule::Acronym => "acronym",
            MentionRule::Apposition => "apposition",
            MentionRule::GroupNoun => "group_noun",
            MentionRule::PlaceNoun => "place_noun",
            MentionRule::Stix => "stix",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "gazetteer" => MentionRule::Gazetteer,
            "acronym" => MentionRule::Acronym,
            "apposition" => MentionRule::Apposition,
            "group_noun" => MentionRule::GroupNoun,
            "place_noun" => MentionRule::PlaceNoun,
            "stix" => MentionRule::Stix,
            _ => return None,
        })
    }
}

/// One naming of an entity in a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    pub entity: EntityId,
    pub document: DocumentId,
    pub span: Span,
    /// The text exactly as it stands in the document at `span`.
    pub surface: String,
    pub rule: MentionRule,
}
