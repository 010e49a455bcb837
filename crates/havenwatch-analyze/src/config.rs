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
//! ```
//!
//! An unknown key, a bad grade or a bad value is an error naming the file, line and key; nothing
//! falls back silently to a default.

use crate::grading::Reliability;
use havenwatch_core::text::alias_key;
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
                other => {
                    return Err(err(
                        other,
                        "unknown section (known: [sources], [analysis], [territory], [neighbours], [weights])".into(),
                    ))
                }
            }
        }
        Ok(config)
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
    fn periods() {
        assert_eq!(Period::Quarter.of("2024-05-03"), "2024-Q2");
        assert_eq!(Period::Month.of("2024-05"), "2024-05");
        assert_eq!(Period::Year.of("2024-05-03"), "2024");
        assert_eq!(Period::Quarter.of("2024"), "2024");
    }
}
