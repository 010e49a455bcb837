//! From files to stored, analysed documents.
//!
//! [`formats`] turns bytes into [`RawDocument`]s (plain text, Markdown with front matter, HTML,
//! JSON Lines, RSS 2.0, Atom); [`pipeline`] streams them through the extractor in parallel and
//! into a [`havenwatch_store::Store`] from one writer, in batched transactions.
//!
//! Memory stays flat whatever the corpus size: files are read one at a time, JSON Lines one line
//! at a time, and the channels between reader, extractors and writer are bounded.

pub mod formats;
pub mod pipeline;

pub use formats::{Format, InputError, RawDocument};
pub use pipeline::{ingest, reextract, IngestOptions, IngestSummary, ReextractSummary};
