//! Documents: one report, article or feed item, identified by the hash of its content.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// A document's id: the lowercase hex SHA-256 of its publisher and text.
///
/// The publisher is part of the hash on purpose: the same wire story carried by ten outlets is
/// ten documents (later layers collapse them into one origin), while re-ingesting the same
/// article from the same outlet adds nothing.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocumentId(pub String);

impl DocumentId {
    /// Computes the content hash of a document.
    pub fn for_content(publisher: Option<&str>, text: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(publisher.unwrap_or("").trim().as_bytes());
        hasher.update([0u8]);
        hasher.update(text.trim().as_bytes());
        let digest = hasher.finalize();
        let mut hex = String::with_capacity(64);
        for byte in digest {
            use fmt::Write;
            let _ = write!(hex, "{byte:02x}");
        }
        DocumentId(hex)
    }

    /// The first 12 hex digits, enough to name a document to a person.
    pub fn short(&self) -> &str {
        &self.0[..self.0.len().min(12)]
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What is known about a document besides its text. Every field is optional because feeds,
/// files and pasted text each carry a different subset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentMeta {
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub url: Option<String>,
    /// Publication date as ISO 8601 (`YYYY-MM-DD` or a full timestamp).
    pub published: Option<String>,
    /// When havenwatch read it, ISO 8601 UTC.
    pub retrieved: Option<String>,
    /// BCP 47 language tag, when known.
    pub language: Option<String>,
    /// Who may see it (TLP 2.0); `None` until ingest applies its default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tlp: Option<crate::Tlp>,
}

/// A report as stored: its id, metadata and full text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub id: DocumentId,
    #[serde(flatten)]
    pub meta: DocumentMeta,
    pub text: String,
}

impl Document {
    /// Builds a document, deriving its id from its content.
    pub fn new(meta: DocumentMeta, text: String) -> Self {
        let id = DocumentId::for_content(meta.publisher.as_deref(), &text);
        Document { id, meta, text }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_depends_on_publisher_and_text_but_not_surrounding_whitespace() {
        let a = DocumentId::for_content(Some("Outlet"), "Some text.");
        let b = DocumentId::for_content(Some("Outlet"), "  Some text.\n");
        let c = DocumentId::for_content(Some("Other outlet"), "Some text.");
        let d = DocumentId::for_content(Some("Outlet"), "Some other text.");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        assert_eq!(a.0.len(), 64);
        assert!(a.0.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
