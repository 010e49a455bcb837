//! havenwatch's STIX 2.1 extension definitions: what STIX lacks, as property extensions.
//!
//! Each is shipped in every bundle as an `extension-definition` object; its JSON schema is in
//! `crates/havenwatch-stix/schemas/`, and [`schema`] returns it so tests and partners can check
//! an extension's properties against it.

use crate::ids::stix_id;
use serde_json::{json, Value};

/// One of havenwatch's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extension {
    /// On `note`: an attributed claim (subject, predicate, object or value, the source and its
    /// reporting chain, modality, negation, the evidence sentence and where it is).
    Claim,
    /// On `relationship`: a finding's predicate (cooperation, hostility, support, an
    /// authority's action...), its reports, independent origins, Admiralty grade and trend.
    Finding,
    /// On `threat-actor`: strength estimates per source and the fused range per period.
    Strength,
    /// On `identity`: the Admiralty reliability the analyst gives a source.
    SourceReliability,
}

impl Extension {
    pub const ALL: [Extension; 4] = [
        Extension::Claim,
        Extension::Finding,
        Extension::Strength,
        Extension::SourceReliability,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Extension::Claim => "claim",
            Extension::Finding => "finding",
            Extension::Strength => "strength",
            Extension::SourceReliability => "source-reliability",
        }
    }

    /// The `extension-definition--...` id objects use as the key of their `extensions`.
    pub fn id(self) -> String {
        stix_id(
            "extension-definition",
            &format!("havenwatch-{}", self.key()),
        )
    }

    fn description(self) -> &'static str {
        match self {
            Extension::Claim => "An attributed claim: who asserts what about whom, through whom, how hedged, with the evidence sentence.",
            Extension::Finding => "A finding: the claims about one proposition folded, collapsed to independent origins and graded with the NATO Admiralty code.",
            Extension::Strength => "Fighter and member counts of a group per source and date, and the fused range per period.",
            Extension::SourceReliability => "The Admiralty reliability (A to F) an analyst gives a source.",
        }
    }

    /// The JSON schema of the extension's properties.
    pub fn schema(self) -> &'static str {
        match self {
            Extension::Claim => include_str!("../schemas/claim.json"),
            Extension::Finding => include_str!("../schemas/finding.json"),
            Extension::Strength => include_str!("../schemas/strength.json"),
            Extension::SourceReliability => include_str!("../schemas/source-reliability.json"),
        }
    }

    /// The `extension-definition` object.
    pub fn definition(self, created_by: &str, clear: &str) -> Value {
        json!({
            "type": "extension-definition",
            "spec_version": "2.1",
            "id": self.id(),
            "created": DEFINED,
            "modified": DEFINED,
            "created_by_ref": created_by,
            "name": format!("havenwatch {}", self.key()),
            "description": self.description(),
            "schema": format!("https://example.invalid/havenwatch/crates/havenwatch-stix/schemas/{}.json", self.key()),
            "version": "1.0.0",
            "extension_types": ["property-extension"],
            "object_marking_refs": [clear],
        })
    }

    /// Wraps properties as this extension's entry in an object's `extensions`.
    pub fn wrap(self, mut properties: Value) -> (String, Value) {
        if let Some(map) = properties.as_object_mut() {
            map.insert("extension_type".into(), json!("property-extension"));
        }
        (self.id(), properties)
    }
}

/// When version 1.0.0 of the extensions was defined.
const DEFINED: &str = "2026-11-26T00:00:00.000Z";

/// The TLP 2.0 extension definition that the standard marking-definition objects use.
pub const TLP_2_0_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// The standard TLP 2.0 marking-definition object for a level.
pub fn tlp_marking_definition(tlp: havenwatch_core::Tlp) -> Value {
    json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": tlp.stix_marking_id(),
        "created": "2022-10-01T00:00:00.000Z",
        "name": tlp.label(),
        "extensions": {
            TLP_2_0_EXTENSION: {
                "extension_type": "property-extension",
                "tlp_2_0": tlp.as_str(),
            }
        },
        "created_by_ref": "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01",
    })
}
