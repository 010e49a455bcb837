//! The havenwatch domain model.
//!
//! Every other crate speaks in these types: a [`Document`] is what was reported, an [`Entity`]
//! is who or what it is about, a [`Mention`] ties the two together at a byte span of the text.
//! Claims (who asserts what about whom) build on these in a later layer.
//!
//! This crate does no I/O. It holds the few pure functions that must agree everywhere they are
//! used, such as [`text::alias_key`], so that the extractor and the store normalise names alike.

pub mod document;
pub mod entity;
pub mod mention;
pub mod text;

pub use document::{Document, DocumentId, DocumentMeta};
pub use entity::{Entity, EntityId, EntityStatus, EntityType, ExternalId, ParseEnumError};
pub use mention::{Mention, MentionRule, Span};
