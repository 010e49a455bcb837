//! STIX 2.1: how havenwatch's picture leaves for partners and how partners' bundles come in.
//!
//! This is the only crate that defines a wire format. [`export()`] reads the store at an
//! audience's clearance, so a partner's bundle is rebuilt from only the claims it may see
//! (counts and grades included), and writes threat actors, identities, locations,
//! infrastructure, findings as relationships, claims as notes and documents as reports, each with
//! its TLP 2.0 marking. What STIX lacks (attributed claims with modality, Admiralty grades,
//! strength estimates, predicates such as cooperation or hostility) travels in havenwatch's own
//! extension definitions ([`extensions`]), never as ad-hoc properties. Ids are UUIDv5 of
//! havenwatch's own ids ([`ids`]), so a re-export updates objects instead of duplicating them.
//!
//! [`import()`] turns a partner's bundle into documents, entities and claims attributed to that
//! partner, keeping its markings, and reports every object it skips with the reason.

pub mod export;
pub mod extensions;
pub mod ids;
pub mod import;

pub use export::{collection_for, export, publish, Bundle, ExportSummary, Publication};
pub use import::{import, ImportReport, Skipped};

/// Why a bundle could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum StixError {
    #[error(transparent)]
    Store(#[from] havenwatch_store::StoreError),
    /// The input is not a STIX 2.1 bundle havenwatch can read; nothing was stored.
    #[error("{0}")]
    Malformed(String),
}

/// The STIX timestamp format: RFC 3339 UTC with milliseconds.
pub fn timestamp(date: &str) -> Option<String> {
    let d = date.trim();
    let ok_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match d.len() {
        4 if ok_digits(d) => Some(format!("{d}-01-01T00:00:00.000Z")),
        7 if ok_digits(&d[..4]) && ok_digits(&d[5..]) => Some(format!("{d}-01T00:00:00.000Z")),
        10 if ok_digits(&d[..4]) && ok_digits(&d[5..7]) && ok_digits(&d[8..]) => {
            Some(format!("{d}T00:00:00.000Z"))
        }
        _ if d.len() > 10 && d.as_bytes().get(10) == Some(&b'T') => {
            // A full timestamp: keep seconds, give milliseconds, assume UTC.
            let (date, time) = d.split_at(10);
            let time = time[1..].trim_end_matches('Z');
            let time = time.split(['+', '-']).next().unwrap_or(time);
            let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
            let ms: String = frac.chars().chain("000".chars()).take(3).collect();
            (hms.len() == 8).then(|| format!("{date}T{hms}.{ms}Z"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps() {
        use super::timestamp;
        assert_eq!(timestamp("2024").unwrap(), "2024-01-01T00:00:00.000Z");
        assert_eq!(timestamp("2024-05").unwrap(), "2024-05-01T00:00:00.000Z");
        assert_eq!(timestamp("2024-05-03").unwrap(), "2024-05-03T00:00:00.000Z");
        assert_eq!(
            timestamp("2024-05-03T10:11:12Z").unwrap(),
            "2024-05-03T10:11:12.000Z"
        );
        assert_eq!(
            timestamp("2024-05-03T10:11:12.5+02:00").unwrap(),
            "2024-05-03T10:11:12.500Z"
        );
        assert_eq!(timestamp("May 2024"), None);
    }
}
