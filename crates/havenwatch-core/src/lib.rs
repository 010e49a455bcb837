//! The havenwatch domain model.
//!
//! Every other crate speaks in these types: a [`Document`] is what was reported, an [`Entity`]
//! is who or what it is about, a [`Mention`] ties the two together at a byte span of the text.
//! A [`Claim`] says who asserts what about whom, how hedged, and through whom.
//!
//! This crate does no I/O. It holds the few pure functions that must agree everywhere they are
//! used, such as [`text::alias_key`], so that the extractor and the store normalise names alike.

pub mod claim;
pub mod document;
pub mod entity;
pub mod marking;
pub mod mention;
pub mod text;

pub use claim::{Claim, EntityRef, Modality, Predicate, Qualifiers, Source};
pub use document::{Document, DocumentId, DocumentMeta};
pub use entity::{Entity, EntityId, EntityStatus, EntityType, ExternalId, ParseEnumError};
pub use marking::Tlp;
pub use mention::{Mention, MentionRule, Span};
