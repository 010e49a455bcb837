//! `havenwatch.toml`: the analyst's settings, validated on load.
//!
//! ```toml
//! [sources]
//! default = "F"                                 # unknown sources: reliability cannot be judged
//! "UN Panel of Experts on Varenia" = "A"
//! "Varenia Daily Wire" = "C"
//!
//! [analysis]
//! period = "quarter"                            # month, quarter or year
//! near_duplicate_bits = 3                       # SimHash distance for syndicated copies
//!
//! [territory]                                   # where an authority or country rules
//! "Varenian Interim Authority" = ["Varenia", "Osmar Province", "Lenz District"]
//!
//! [neighbours]                                  # the territory next to a country
//! "Kestria" = ["Varenia", "Tarvik Valley"]
//!
//! [weights]                                     # terms of the cross-border threat score
//! presence = 1.0
//! attacks = 2.0
//!
//! [sharing]
//! default_tlp = "amber"                         # marking of documents that carry none
//! organisation = "Havenwatch demo desk"         # who signs exported STIX objects
//!
//! [partners.kestria-ct]                         # one table per partner
//! token_sha256 = "9f86d0..."                    # `havenwatch partner add` prints the token once
//! max_tlp = "green"                             # the strictest marking it may read
//! read = ["clear", "green"]                     # TAXII collections it may read ("*": all)
//! write = ["inbox"]                             # collections it may write (and REST ingest)
//! ```
//!
//! An unknown key, a bad grade or a bad value is an error naming the file, line and key; nothing
//! falls back silently to a default.

use crate::grading::Reliability;
use havenwatch_core::text::alias_key;
use havenwatch_core::Tlp;
use std::collections::HashMap;

/// A configuration that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {key}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub key: String,
    pub message: String,
}

/// How claims are bucketed in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Month,
    Quarter,
    Year,
}

impl Period {
    /// The period a date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) falls in: `2024-03`, `2024-Q1`,
    /// `2024`.
    pub fn of(self, date: &str) -> String {
        let year = &date[..date.len().min(4)];
        let month: Option<u32> = date.get(5..7).and_then(|m| m.parse().ok());
        match (self, month) {
            (Period::Year, _) | (_, None) => year.to_string(),
            (Period::Month, Some(m)) => format!("{year}-{m:02}"),
            (Period::Quarter, Some(m)) => format!("{year}-Q{}", (m - 1) / 3 + 1),
        }
    }
}

/// The analyst's settings.
#[derive(Clone, Debug)]
pub struct Config {
    default_reliability: Reliability,
    /// By folded source name.
    reliability: HashMap<String, Reliability>,
    pub period: Period,
    pub near_duplicate_bits: u32,
    /// Places each authority or country rules, by folded name.
    pub territory: HashMap<String, Vec<String>>,
    /// Territory next to each country, by folded name.
    pub neighbours: HashMap<String, Vec<String>>,
    pub weights: ThreatWeights,
    /// The marking of ingested documents that carry none of their own.
    pub default_tlp: Tlp,
    /// The organisation that signs what havenwatch shares (`created_by_ref` in STIX).
    pub organisation: String,
    /// Partners who may read or write through the server, by name.
    pub partners: Vec<Partner>,
}

/// A partner organisation and what it may see and do.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Partner {
    pub name: String,
    /// Lowercase hex SHA-256 of its API token; the token itself is never stored.
    #[serde(skip)]
    pub token_sha256: String,
    /// The strictest marking it may read.
    pub max_tlp: Tlp,
    /// Collections it may read; `*` for every collection within its clearance.
    pub read: Vec<String>,
    /// Collections it may write; a partner that may write any may also ingest over REST.
    pub write: Vec<String>,
}

impl Partner {
    pub fn may_read(&self, collection: &str) -> bool {
        self.read.iter().any(|c| c == "*" || c == collection)
    }

    pub fn may_write(&self, collection: &str) -> bool {
        self.write.iter().any(|c| c == "*" || c == collection)
    }
}

/// Weights of the terms of the cross-border threat score.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ThreatWeights {
    pub presence: f64,
    pub strength: f64,
    pub support: f64,
    pub infrastructure: f64,
    pub attacks: f64,
    pub threats: f64,
}

impl Default for ThreatWeights {
    fn default() -> Self {
        ThreatWeights {
            presence: 1.0,
            strength: 1.0,
            support: 1.0,
            infrastructure: 1.0,
            attacks: 2.0,
            threats: 1.5,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            default_reliability: Reliability::F,
            reliability: HashMap::new(),
            period: Period::Quarter,
            near_duplicate_bits: 3,
            territory: HashMap::new(),
            neighbours: HashMap::new(),
            weights: ThreatWeights::default(),
            default_tlp: Tlp::Amber,
            organisation: "havenwatch".into(),
            partners: Vec::new(),
        }
    }
}

impl Config {
    /// Parses and validates a configuration file's text.
    pub fn from_toml(file: &str, text: &str) -> Result<Config, ConfigError> {
        let line_of = |needle: &str| -> usize {
            text.lines()
                .position(|l| {
                    let l = l.trim_start();
                    l.starts_with(needle) || l.starts_with(&format!("\"{needle}\""))
                })
                .map_or(1, |p| p + 1)
        };
        let err = |key: &str, message: String| ConfigError {
            file: file.to_string(),
            line: line_of(key.rsplit('.').next().unwrap_or(key)),
            key: key.to_string(),
            message,
        };
        let table: toml::Table = toml::from_str(text).map_err(|e| ConfigError {
            file: file.to_string(),
            line: e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(1),
            key: "(syntax)".into(),
            message: e.message().trim().to_string(),
        })?;
        let mut config = Config::default();
        for (section, value) in &table {
            match section.as_str() {
                "sources" => {
                    let sources = value.as_table().ok_or_else(|| {
                        err("sources", "must be a table of source = \"A\"..\"F\"".into())
                    })?;
                    for (name, grade) in sources {
                        let key = format!("sources.{name}");
                        let grade = grade
                            .as_str()
                            .ok_or_else(|| err(&key, "must be a grade \"A\" to \"F\"".into()))?;
                        let r: Reliability = grade.parse().map_err(|m: String| err(&key, m))?;
                        if name == "default" {
                            config.default_reliability = r;
                        } else {
                            config.reliability.insert(alias_key(name), r);
                        }
                    }
                }
                "analysis" => {
                    let analysis = value
                        .as_table()
                        .ok_or_else(|| err("analysis", "must be a table".into()))?;
                    for (k, v) in analysis {
                        let key = format!("analysis.{k}");
                        match k.as_str() {
                            "period" => {
                                config.period = match v.as_str() {
                                    Some("month") => Period::Month,
                                    Some("quarter") => Period::Quarter,
                                    Some("year") => Period::Year,
                                    _ => {
                                        return Err(err(
                                            &key,
                                            format!("`{v}` is not month, quarter or year"),
                                        ))
                                    }
                                }
                            }
                            "near_duplicate_bits" => {
                                config.near_duplicate_bits = v
                                    .as_integer()
                                    .filter(|n| (0..=32).contains(n))
                                    .ok_or_else(|| {
                                        err(
                                            &key,
                                            format!("`{v}` is not a number of bits from 0 to 32"),
                                        )
                                    })?
                                    as u32
                            }
                            _ => {
                                return Err(err(
                                    &key,
                                    "unknown key (known: period, near_duplicate_bits)".into(),
                                ))
                            }
                        }
                    }
                }
                "territory" | "neighbours" => {
                    let places = value
                        .as_table()
                        .ok_or_else(|| err(section, "must be a table of name = [places]".into()))?;
                    for (name, list) in places {
                        let key = format!("{section}.{name}");
                        let list = list
                            .as_array()
                            .ok_or_else(|| err(&key, "must be a list of place names".into()))?;
                        let mut names = Vec::new();
                        for p in list {
                            names.push(alias_key(p.as_str().ok_or_else(|| {
                                err(&key, format!("`{p}` is not a place name"))
                            })?));
                        }
                        let target = if section == "territory" {
                            &mut config.territory
                        } else {
                            &mut config.neighbours
                        };
                        target.insert(alias_key(name), names);
                    }
                }
                "weights" => {
                    let weights = value
                        .as_table()
                        .ok_or_else(|| err("weights", "must be a table".into()))?;
                    for (k, v) in weights {
                        let key = format!("weights.{k}");
                        let w = v
                            .as_float()
                            .or_else(|| v.as_integer().map(|i| i as f64))
                            .filter(|w| w.is_finite() && *w >= 0.0)
                            .ok_or_else(|| {
                                err(&key, format!("`{v}` is not a weight (a number, 0 or more)"))
                            })?;
                        let slot = match k.as_str() {
                            "presence" => &mut config.weights.presence,
                            "strength" => &mut config.weights.strength,
                            "support" => &mut config.weights.support,
                            "infrastructure" => &mut config.weights.infrastructure,
                            "attacks" => &mut config.weights.attacks,
                            "threats" => &mut config.weights.threats,
                            _ => {
                                return Err(err(
                                    &key,
                                    "unknown weight (known: presence, strength, support, infrastructure, attacks, threats)".into(),
                                ))
                            }
                        };
                        *slot = w;
                    }
                }
                "sharing" => {
                    let sharing = value
                        .as_table()
                        .ok_or_else(|| err("sharing", "must be a table".into()))?;
                    for (k, v) in sharing {
                        let key = format!("sharing.{k}");
                        match k.as_str() {
                            "default_tlp" => {
                                config.default_tlp = v
                                    .as_str()
                                    .ok_or_else(|| err(&key, "must be a TLP marking".into()))?
                                    .parse()
                                    .map_err(|e: havenwatch_core::ParseEnumError| {
                                        err(&key, e.to_string())
                                    })?
                            }
                            "organisation" => {
                                config.organisation = v
                                    .as_str()
                                    .filter(|o| !o.trim().is_empty())
                                    .ok_or_else(|| err(&key, "must be a name".into()))?
                                    .to_string()
                            }
                            _ => {
                                return Err(err(
                                    &key,
                                    "unknown key (known: default_tlp, organisation)".into(),
                                ))
                            }
                        }
                    }
                }
                "partners" => {
                    let partners = value
                        .as_table()
                        .ok_or_else(|| err("partners", "must hold one table per partner".into()))?;
                    for (name, p) in partners {
                        config.partners.push(parse_partner(name, p, &err)?);
                    }
                }
                other => {
                    return Err(err(
                        other,
                        "unknown section (known: [sources], [analysis], [territory], [neighbours], [weights], [sharing], [partners.NAME])".into(),
                    ))
                }
            }
        }
        Ok(config)
    }

    /// The settings findings depend on, as a string: kept findings computed under other
    /// settings are recomputed.
    pub fn findings_fingerprint(&self) -> String {
        let mut grades: Vec<String> = self
            .reliability
            .iter()
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect();
        grades.sort();
        format!(
            "v2;default={:?};period={:?};bits={};{}",
            self.default_reliability,
            self.period,
            self.near_duplicate_bits,
            grades.join(";")
        )
    }

    /// The partner a presented API token belongs to, if any. Compares hashes, so the time
    /// taken does not depend on how much of a token was right.
    pub fn partner_by_token(&self, token: &str) -> Option<&Partner> {
        let hash = token_hash(token);
        self.partners.iter().find(|p| p.token_sha256 == hash)
    }

    pub fn partner(&self, name: &str) -> Option<&Partner> {
        self.partners.iter().find(|p| p.name == name)
    }

    /// Places (folded names) an authority or country rules; its own name counts as one.
    pub fn territory_of(&self, name: &str) -> Vec<String> {
        let key = alias_key(name);
        let mut places = self.territory.get(&key).cloned().unwrap_or_default();
        places.push(key);
        places
    }

    /// Territory (folded names) next to a country.
    pub fn neighbours_of(&self, name: &str) -> Vec<String> {
        self.neighbours
            .get(&alias_key(name))
            .cloned()
            .unwrap_or_default()
    }

    /// The reliability the analyst gives a source (by any spelling of its name).
    pub fn reliability(&self, source: &str) -> Reliability {
        self.reliability
            .get(&alias_key(source))
            .copied()
            .unwrap_or(self.default_reliability)
    }
}

/// The lowercase hex SHA-256 of an API token, as `token_sha256` holds it.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn parse_partner(
    name: &str,
    value: &toml::Value,
    err: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Partner, ConfigError> {
    let base = format!("partners.{name}");
    let table = value
        .as_table()
        .ok_or_else(|| err(&base, "must be a table".into()))?;
    let mut partner = Partner {
        name: name.to_string(),
        token_sha256: String::new(),
        max_tlp: Tlp::Clear,
        read: Vec::new(),
        write: Vec::new(),
    };
    let mut has_tlp = false;
    for (k, v) in table {
        let key = format!("{base}.{k}");
        match k.as_str() {
            "token_sha256" => {
                partner.token_sha256 = v
                    .as_str()
                    .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
                    .ok_or_else(|| err(&key, "must be 64 hex digits (a SHA-256)".into()))?
                    .to_ascii_lowercase()
            }
            "max_tlp" => {
                has_tlp = true;
                partner.max_tlp = v
                    .as_str()
                    .ok_or_else(|| err(&key, "must be a TLP marking".into()))?
                    .parse()
                    .map_err(|e: havenwatch_core::ParseEnumError| err(&key, e.to_string()))?
            }
            "read" | "write" => {
                let list = v
                    .as_array()
                    .ok_or_else(|| err(&key, "must be a list of collection names".into()))?;
                let mut names = Vec::new();
                for c in list {
                    names.push(
                        c.as_str()
                            .ok_or_else(|| err(&key, format!("`{c}` is not a collection name")))?
                            .to_string(),
                    );
                }
                if k == "read" {
                    partner.read = names;
                } else {
                    partner.write = names;
                }
            }
            _ => {
                return Err(err(
                    &key,
                    "unknown key (known: token_sha256, max_tlp, read, write)".into(),
                ))
            }
        }
    }
    if partner.token_sha256.is_empty() {
        return Err(err(&base, "has no token_sha256".into()));
    }
    if !has_tlp {
        return Err(err(&base, "has no max_tlp".into()));
    }
    Ok(partner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_and_names_file_line_key() {
        let c = Config::from_toml(
            "havenwatch.toml",
            "[sources]\ndefault = \"E\"\n\"UN Panel\" = \"A\"\n\n[analysis]\nperiod = \"year\"\n",
        )
        .unwrap();
        assert_eq!(c.reliability("un panel"), Reliability::A);
        assert_eq!(c.reliability("Somebody"), Reliability::E);
        assert_eq!(c.period, Period::Year);

        let e = Config::from_toml("h.toml", "[sources]\n\"UN Panel\" = \"Z\"\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "h.toml:2: sources.UN Panel: `Z` is not a reliability grade (A to F)"
        );
        let e =
            Config::from_toml("h.toml", "[analysis]\nperiod = \"year\"\nspeed = 3\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.key, "analysis.speed");
        let e = Config::from_toml("h.toml", "[colours]\nx = 1\n").unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (1, "colours"));
        let e = Config::from_toml("h.toml", "[sources\n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn partners_and_sharing() {
        let hash = token_hash("s3cret");
        let text = format!(
            "[sharing]\ndefault_tlp = \"green\"\n\n[partners.kestria]\ntoken_sha256 = \"{hash}\"\nmax_tlp = \"amber\"\nread = [\"green\"]\nwrite = [\"inbox\"]\n"
        );
        let c = Config::from_toml("h.toml", &text).unwrap();
        assert_eq!(c.default_tlp, Tlp::Green);
        let p = c.partner_by_token("s3cret").unwrap();
        assert_eq!((p.name.as_str(), p.max_tlp), ("kestria", Tlp::Amber));
        assert!(p.may_read("green") && !p.may_read("amber") && p.may_write("inbox"));
        assert!(c.partner_by_token("s3cre").is_none());
        let e = Config::from_toml(
            "h.toml",
            &format!("[partners.x]\ntoken_sha256 = \"{hash}\"\nmax_tlp = \"orange\"\n"),
        )
        .unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (3, "partners.x.max_tlp"));
        let e = Config::from_toml("h.toml", "[partners.x]\nmax_tlp = \"red\"\n").unwrap_err();
        assert_eq!(e.key, "partners.x");
    }

    #[test]
    fn periods() {
        assert_eq!(Period::Quarter.of("2024-05-03"), "2024-Q2");
        assert_eq!(Period::Month.of("2024-05"), "2024-05");
        assert_eq!(Period::Year.of("2024-05-03"), "2024");
        assert_eq!(Period::Quarter.of("2024"), "2024");
    }
}
