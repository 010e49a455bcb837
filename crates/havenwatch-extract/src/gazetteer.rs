//! The gazetteer: known entities and their aliases, as data.
//!
//! A gazetteer file is TOML:
//!
//! ```toml
//! # Words spelled several ways, folded before matching (both in names and in text).
//! [variants]
//! tehreek = "tehrik"
//!
//! # Aliases too common to match ("the base" is an alias of Al-Qaida on the UN list).
//! stop_aliases = ["The Base"]
//!
//! [[entity]]
//! id = "un:QDe.132"
//! name = "Tehrik-e Taliban Pakistan"
//! type = "armed_group"
//! aliases = ["TTP", "Pakistani Taliban"]
//! external_ids = { un = "QDe.132" }
//! ```
//!
//! `[[demonym]]` entries (`word = "Afghan"`, `government = "<id>"`, `land = "<id>"`) generate
//! aliases such as "Afghan authorities" and "Afghan soil".
//!
//! Several files layer: an entry whose `id` is already known extends it (more aliases, and a
//! new `name` or `type` if given), so a user's file can rename or enrich a generated entry.

use crate::fold::Variants;
use havenwatch_core::text::alias_key;
use havenwatch_core::{EntityType, ExternalId};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// A gazetteer file that could not be used, naming the file and, where known, the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct GazetteerError {
    pub origin: String,
    pub line: Option<usize>,
    pub message: String,
}

/// One known entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GazetteerEntry {
    pub id: String,
    pub name: String,
    pub entity_type: EntityType,
    pub aliases: Vec<String>,
    pub external_ids: Vec<ExternalId>,
    /// Which file the entry (or its last extension) came from.
    pub origin: String,
}

impl GazetteerEntry {
    /// The canonical name followed by every alias, without duplicates (by folded key).
    pub fn names(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        std::iter::once(self.name.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .filter(|n| seen.insert(alias_key(n)))
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    #[serde(default)]
    variants: BTreeMap<String, String>,
    #[serde(default)]
    stop_aliases: Vec<String>,
    #[serde(default)]
    entity: Vec<EntityToml>,
    #[serde(default)]
    demonym: Vec<DemonymToml>,
    #[serde(default)]
    monitor: Vec<MonitorToml>,
}

/// A UN body that reports on the entities of some sanctions lists (`lists`: the prefixes of
/// their UN reference numbers, "QDe" for the ISIL (Da'esh) and Al-Qaida list), and the wider
/// bodies (`within`) a headline may name for it: "UN report says TTP ..." over an article on a
/// group of the QDe list is the Monitoring Team's report.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MonitorToml {
    body: String,
    lists: Vec<String>,
    #[serde(default)]
    within: Vec<String>,
}

/// "Afghan": "Afghan authorities" name the government (`government`), "Afghan soil" the land
/// (`land`). Aliases are generated for both.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemonymToml {
    word: String,
    government: Option<String>,
    land: Option<String>,
}

/// Nouns that, after a demonym, name a country's government and its forces.
pub(crate) const GOVERNMENT_NOUNS: [&str; 41] = [
    "authorities",
    "government",
    "ministry",
    "defence ministry",
    "defense ministry",
    "interior ministry",
    "foreign ministry",
    "ministry of defence",
    "officials",
    "forces",
    "security forces",
    "armed forces",
    "troops",
    "soldiers",
    "army",
    "police",
    "air force",
    "military",
    "regime",
    "junta",
    // Its weapons in action: "Pakistani jets bombed ...", "Turkish drones struck ...".
    "jets",
    "fighter jets",
    "warplanes",
    "aircraft",
    "drones",
    "navy",
    "special forces",
    "commandos",
    "counterterrorism police",
    "counter-terrorism police",
    "anti-terrorism police",
    "anti-terror police",
    "counterterrorism forces",
    "security services",
    "intelligence services",
    "intelligence agency",
    "airstrikes",
    "air strikes",
    "coast guard",
    "border guards",
    "national guard",
];
/// Nouns of a government's acts that, after a demonym, make the demonym name the government
/// (the noun itself stays free for the claim's trigger): "Iranian support to the Houthis",
/// "Rwandan-backed rebels".
pub(crate) const ACT_NOUNS: [&str; 14] = [
    "support",
    "backing",
    "backed",
    "assistance",
    "funding",
    "military support",
    "financial support",
    // Its word: "according to Israeli estimates", "Pakistani intelligence said".
    "estimates",
    "estimate",
    "assessments",
    "assessment",
    "intelligence",
    "figures",
    "sources",
];
/// Nouns that, after a demonym, name a country's land.
/// (Not "provinces": "six Afghan provinces: Ghazni, Helmand, ..." names the provinces.)
pub(crate) const LAND_NOUNS: [&str; 7] = [
    "soil",
    "territory",
    "side",
    "border areas",
    "border",
    "borderlands",
    "countryside",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityToml {
    id: String,
    name: Option<String>,
    #[serde(rename = "type")]
    entity_type: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    external_ids: BTreeMap<String, String>,
}

/// Known entities, spelling variants and stop aliases, layered from one or more files.
#[derive(Clone, Debug, Default)]
pub struct Gazetteer {
    entries: Vec<GazetteerEntry>,
    by_id: HashMap<String, usize>,
    variants: BTreeMap<String, String>,
    stop_aliases: Vec<String>,
    demonyms: Vec<Demonym>,
    monitors: Vec<Monitor>,
}

/// A UN body that reports on the entities of some sanctions lists (see `[[monitor]]` in
/// `curated.toml`), with the wider bodies a headline may name for it; indices into
/// [`Gazetteer::entries`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Monitor {
    pub body: usize,
    /// Prefixes of UN reference numbers ("QDe", "TAe").
    pub lists: Vec<String>,
    pub within: Vec<usize>,
}

impl Monitor {
    /// Whether the body reports on the sanctions list with this prefix ("QDe").
    pub fn covers(&self, list: &str) -> bool {
        self.lists.iter().any(|l| l == list)
    }
}

/// A demonym with the entries its nouns name: "Nigerian army" the government, "Nigerian soil"
/// the land. Its aliases are also on the entries (for lookup); the resolver matches the word
/// and then the noun, instead of one pattern per pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Demonym {
    pub word: String,
    /// Index into [`Gazetteer::entries`].
    pub government: Option<usize>,
    pub land: Option<usize>,
}

/// The default gazetteer files, compiled in: the UN list generated by
/// `havenwatch gazetteer build`, the curated entries that extend and rename it, then the
/// states of the world and the places and groups of other regions (`world.toml`).
pub const DEFAULT_FILES: [(&str, &str); 3] = [
    (
        "builtin:un-sanctions.toml",
        include_str!("../data/un-sanctions.toml"),
    ),
    ("builtin:curated.toml", include_str!("../data/curated.toml")),
    ("builtin:world.toml", include_str!("../data/world.toml")),
];

impl Gazetteer {
    /// The gazetteer that ships with havenwatch.
    pub fn builtin() -> Self {
        let mut g = Gazetteer::default();
        for (origin, text) in DEFAULT_FILES {
            g.add_toml(origin, text)
                .expect("the built-in gazetteer is valid (tested)");
        }
        g
    }

    /// Layers one TOML file over what is already loaded. On error nothing is changed.
    pub fn add_toml(&mut self, origin: &str, text: &str) -> Result<(), GazetteerError> {
        let file: FileToml = toml::from_str(text).map_err(|e| GazetteerError {
            origin: origin.to_string(),
            line: e.span().map(|s| line_of(text, s.start)),
            message: e.message().trim().to_string(),
        })?;
        let mut staged = self.clone();
        for (from, to) in file.variants {
            staged.variants.insert(alias_key(&from), alias_key(&to));
        }
        staged.stop_aliases.extend(file.stop_aliases);
        for (n, e) in file.entity.into_iter().enumerate() {
            staged.add_entity(origin, text, n, e)?;
        }
        for d in file.demonym {
            let mut demonym = Demonym {
                word: d.word.clone(),
                government: None,
                land: None,
            };
            for (target, nouns, slot) in [
                (
                    &d.government,
                    &GOVERNMENT_NOUNS[..],
                    &mut demonym.government,
                ),
                (&d.land, &LAND_NOUNS[..], &mut demonym.land),
            ] {
                let Some(target) = target else { continue };
                let Some(&i) = staged.by_id.get(target) else {
                    return Err(GazetteerError {
                        origin: origin.to_string(),
                        line: text
                            .lines()
                            .position(|l| l.contains(&format!("\"{}\"", d.word)))
                            .map(|l| l + 1),
                        message: format!("demonym `{}`: no entity with id `{target}`", d.word),
                    });
                };
                for noun in nouns {
                    staged.entries[i].aliases.push(format!("{} {noun}", d.word));
                }
                *slot = Some(i);
            }
            staged.demonyms.push(demonym);
        }
        for m in file.monitor {
            let index = |id: &str| {
                staged.by_id.get(id).copied().ok_or_else(|| GazetteerError {
                    origin: origin.to_string(),
                    line: text
                        .lines()
                        .position(|l| l.contains(&format!("\"{id}\"")))
                        .map(|l| l + 1),
                    message: format!("monitor `{}`: no entity with id `{id}`", m.body),
                })
            };
            let body = index(&m.body)?;
            let within = m
                .within
                .iter()
                .map(|id| index(id))
                .collect::<Result<Vec<_>, _>>()?;
            staged.monitors.push(Monitor {
                body,
                lists: m.lists,
                within,
            });
        }
        *self = staged;
        Ok(())
    }

    fn add_entity(
        &mut self,
        origin: &str,
        text: &str,
        n: usize,
        e: EntityToml,
    ) -> Result<(), GazetteerError> {
        // The line is looked for only when there is an error to report: looking for every
        // entity's line would read the file once per entity.
        let err = |message: String| GazetteerError {
            origin: origin.to_string(),
            line: find_entity_line(text, &e.id),
            message: format!("entity #{} (id `{}`): {message}", n + 1, e.id),
        };
        if e.id.trim().is_empty() {
            return Err(err("`id` is empty".into()));
        }
        let entity_type = match &e.entity_type {
            Some(t) => Some(t.parse::<EntityType>().map_err(|x| err(x.to_string()))?),
            None => None,
        };
        let external_ids: Vec<ExternalId> = e
            .external_ids
            .iter()
            .map(|(scheme, value)| ExternalId {
                scheme: scheme.clone(),
                value: value.clone(),
            })
            .collect();
        let aliases: Vec<String> = e
            .aliases
            .iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !alias_key(a).is_empty())
            .collect();
        if let Some(&i) = self.by_id.get(&e.id) {
            let entry = &mut self.entries[i];
            if let Some(name) = e.name {
                let old = std::mem::replace(&mut entry.name, name);
                entry.aliases.push(old);
            }
            if let Some(t) = entity_type {
                entry.entity_type = t;
            }
            entry.aliases.extend(aliases);
            for x in external_ids {
                if !entry.external_ids.contains(&x) {
                    entry.external_ids.push(x);
                }
            }
            entry.origin = origin.to_string();
            return Ok(());
        }
        let name = e
            .name
            .clone()
            .ok_or_else(|| err("`name` is missing".into()))?;
        if alias_key(&name).is_empty() {
            return Err(err("`name` has no letters or digits".into()));
        }
        let entity_type = entity_type.ok_or_else(|| err("`type` is missing".into()))?;
        self.by_id.insert(e.id.clone(), self.entries.len());
        self.entries.push(GazetteerEntry {
            id: e.id,
            name,
            entity_type,
            aliases,
            external_ids,
            origin: origin.to_string(),
        });
        Ok(())
    }

    /// Adds an entry built in code (entities already in the store, for instance).
    pub fn add_entry(&mut self, entry: GazetteerEntry) {
        if let Some(&i) = self.by_id.get(&entry.id) {
            let existing = &mut self.entries[i];
            existing.aliases.extend(entry.aliases);
            return;
        }
        self.by_id.insert(entry.id.clone(), self.entries.len());
        self.entries.push(entry);
    }

    pub fn entries(&self) -> &[GazetteerEntry] {
        &self.entries
    }

    pub fn demonyms(&self) -> &[Demonym] {
        &self.demonyms
    }

    pub fn monitors(&self) -> &[Monitor] {
        &self.monitors
    }

    pub fn get(&self, id: &str) -> Option<&GazetteerEntry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    pub fn variants(&self) -> Variants {
        Variants::new(self.variants.iter().map(|(a, b)| (a.clone(), b.clone())))
    }

    /// Folded keys of aliases that must never be matched.
    pub fn stop_keys(&self) -> Vec<String> {
        self.stop_aliases.iter().map(|a| alias_key(a)).collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

fn find_entity_line(text: &str, id: &str) -> Option<usize> {
    let needle = format!("\"{id}\"");
    text.lines()
        .position(|l| l.trim_start().starts_with("id") && l.contains(&needle))
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_files_extend_and_rename_entries() {
        let mut g = Gazetteer::default();
        g.add_toml(
            "a.toml",
            r#"
[[entity]]
id = "x:1"
name = "FREE HILLS FRONT"
type = "armed_group"
aliases = ["FHF"]
"#,
        )
        .unwrap();
        g.add_toml(
            "b.toml",
            r#"
[variants]
Tehreek = "tehrik"
[[entity]]
id = "x:1"
name = "Free Hills Front"
aliases = ["the Hill Front"]
external_ids = { un = "XXe.001" }
"#,
        )
        .unwrap();
        let e = g.get("x:1").unwrap();
        assert_eq!(e.name, "Free Hills Front");
        assert_eq!(e.names(), vec!["Free Hills Front", "FHF", "the Hill Front"]);
        assert_eq!(e.external_ids[0].value, "XXe.001");
        assert_eq!(g.variants().get("tehreek"), Some("tehrik"));
    }

    #[test]
    fn errors_name_the_file_line_and_field_and_change_nothing() {
        let mut g = Gazetteer::default();
        let err = g
            .add_toml(
                "mine.toml",
                "[[entity]]\nid = \"a\"\nname = \"A Front\"\ntype = \"armed_group\"\n\n[[entity]]\nid = \"b\"\nname = \"B\"\ntype = \"militia\"\n",
            )
            .unwrap_err();
        assert_eq!(err.origin, "mine.toml");
        assert_eq!(err.line, Some(7));
        assert!(
            err.to_string()
                .starts_with("mine.toml:7: entity #2 (id `b`)"),
            "{err}"
        );
        assert!(err.to_string().contains("militia"));
        assert!(g.is_empty(), "a failed file adds nothing");

        let err = g
            .add_toml("bad.toml", "[[entity]]\nid = \"a\"\nnam = \"x\"\n")
            .unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        assert!(err.message.contains("nam"), "{err}");
    }

    #[test]
    fn monitors_name_existing_entities() {
        let base = "[[entity]]\nid = \"p\"\nname = \"Panel on Lenz\"\ntype = \"agency\"\n\n[[entity]]\nid = \"u\"\nname = \"Union of Nations\"\ntype = \"agency\"\n";
        let mut g = Gazetteer::default();
        g.add_toml("a.toml", base).unwrap();
        g.add_toml(
            "m.toml",
            "[[monitor]]\nbody = \"p\"\nlists = [\"LZe\"]\nwithin = [\"u\"]\n",
        )
        .unwrap();
        assert_eq!(
            g.monitors(),
            &[Monitor {
                body: 0,
                lists: vec!["LZe".into()],
                within: vec![1]
            }]
        );
        let err = g
            .add_toml(
                "bad.toml",
                "[[monitor]]\nbody = \"p\"\nlists = [\"LZe\"]\nwithin = [\"nobody\"]\n",
            )
            .unwrap_err();
        assert_eq!(err.line, Some(4), "{err}");
        assert!(err.message.contains("`nobody`"), "{err}");
        assert_eq!(g.monitors().len(), 1, "a failed file adds nothing");
    }

    #[test]
    fn builtin_gazetteer_loads() {
        let g = Gazetteer::builtin();
        assert!(g.len() > 100);
        let ttp = g.get("un:QDe.132").expect("TTP is on the UN list");
        assert_eq!(ttp.name, "Tehrik-e Taliban Pakistan");
        assert_eq!(ttp.entity_type, EntityType::ArmedGroup);
    }
}
