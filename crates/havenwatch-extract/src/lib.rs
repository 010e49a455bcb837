//! Text to entity mentions.
//!
//! The [`Gazetteer`] is data (TOML files: the generated UN sanctions list, a curated list, a
//! user's own entries); [`EntityResolver`] compiles it once into an Aho-Corasick automaton over
//! folded names and finds every known name in one pass. [`MentionExtractor`] adds what the text
//! itself teaches: acronyms it defines ("Long Name (LN)"), and groups no list knows yet, found by
//! appositions and group nouns and returned as provisional entities with their evidence.
//!
//! Architecture invariant: this crate does no I/O. Text and TOML come in as `&str`, mentions and
//! diagnostics go out. The default gazetteer is compiled into the binary with `include_str!`.

pub mod attribution;
pub mod claims;
pub mod cue_model;
pub mod discover;
pub mod evaluate;
pub mod fold;
pub mod gazetteer;
pub mod mentions;
pub mod polnear;
pub mod quantity;
pub mod resolver;
pub mod sanctions;
pub mod sentences;

pub use discover::NameRun;
pub use gazetteer::{Gazetteer, GazetteerEntry, GazetteerError};
pub use mentions::{Analysis, DiscoveredEntity, FoundMention, MentionExtractor, MentionTarget};
pub use resolver::{EntityResolver, ResolvedName};
