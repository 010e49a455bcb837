//! The UN Security Council Consolidated List (XML) as gazetteer entries.
//!
//! `havenwatch gazetteer build --sanctions consolidated.xml` runs [`parse_consolidated_list`]
//! and [`to_gazetteer_toml`]; the result is committed as `data/un-sanctions.toml`.
//!
//! What is kept: the entities (never the individuals: havenwatch tracks organisations) of the
//! armed-group regimes. The DPRK, Iraq and Libya lists are state companies and banks, not groups, and
//! front organisations (trusts, charities, exchange houses, companies) on the other lists are
//! left out by name; [`BuildReport`] lists each one skipped and why.

use quick_xml::events::Event;
use quick_xml::Reader;
use serde::Serialize;
use std::collections::BTreeMap;

/// An entity as read from the list, before selection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListedEntity {
    pub reference: String,
    pub list_type: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub listed_on: String,
}

/// What the build kept and what it skipped, and why.
#[derive(Clone, Debug, Default)]
pub struct BuildReport {
    pub date_generated: String,
    pub kept: Vec<ListedEntity>,
    pub skipped: Vec<(ListedEntity, &'static str)>,
}

/// A list that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("sanctions list, byte {position}: {message}")]
pub struct SanctionsError {
    pub position: u64,
    pub message: String,
}

const SKIPPED_LISTS: [&str; 3] = ["DPRK", "Iraq", "Libya"];
const FRONT_WORDS: [&str; 26] = [
    "AIRLINES",
    "INVESTMENT",
    "IMPEX",
    "NGO",
    "BRANCH",
    "OFFICES",
    "HUMANITARIAN",
    "HOUSE",
    "TRUST",
    "FOUNDATION",
    "CHARITABLE",
    "CHARITY",
    "RELIEF",
    "BANK",
    "COMPANY",
    "CORPORATION",
    "EXCHANGE",
    "HAWALA",
    "TRADING",
    "SOCIETY",
    "COMMITTEE",
    "ESTABLISHMENT",
    "ENTERPRISE",
    "LIMITED",
    "LTD",
    "MEDICAL",
];

/// Reads the entities of the consolidated list and selects the armed groups.
pub fn parse_consolidated_list(xml: &str) -> Result<BuildReport, SanctionsError> {
    let mut reader = Reader::from_str(xml);
    let mut report = BuildReport::default();
    let mut path: Vec<String> = Vec::new();
    let mut current: Option<ListedEntity> = None;
    let mut text = String::new();
    loop {
        let event = reader.read_event().map_err(|e| SanctionsError {
            position: reader.buffer_position(),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                if name == "CONSOLIDATED_LIST" {
                    for attr in start.attributes().flatten() {
                        if attr.key.as_ref() == b"dateGenerated" {
                            report.date_generated =
                                String::from_utf8_lossy(&attr.value).into_owned();
                        }
                    }
                }
                if name == "ENTITY" && path.last().map(String::as_str) == Some("ENTITIES") {
                    current = Some(ListedEntity::default());
                }
                path.push(name);
                text.clear();
            }
            Event::Text(t) => {
                let s = t.unescape().map_err(|e| SanctionsError {
                    position: reader.buffer_position(),
                    message: e.to_string(),
                })?;
                text.push_str(&s);
            }
            Event::CData(t) => text.push_str(&String::from_utf8_lossy(&t)),
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                if let Some(entity) = current.as_mut() {
                    let value = collapse_whitespace(&text);
                    match name.as_str() {
                        "FIRST_NAME" => entity.name = value,
                        "UN_LIST_TYPE" => entity.list_type = value,
                        "REFERENCE_NUMBER" => entity.reference = value,
                        "LISTED_ON" => entity.listed_on = value,
                        "ALIAS_NAME" => entity.aliases.extend(split_alias(&value)),
                        "ENTITY" => {
                            let entity = current.take().expect("inside an entity");
                            select(entity, &mut report);
                        }
                        _ => {}
                    }
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if report.kept.is_empty() && report.skipped.is_empty() {
        return Err(SanctionsError {
            position: 0,
            message: "no <ENTITY> elements found: is this the UN consolidated list?".into(),
        });
    }
    Ok(report)
}

fn select(entity: ListedEntity, report: &mut BuildReport) {
    if entity.name.is_empty() || entity.reference.is_empty() {
        report.skipped.push((entity, "no name or reference number"));
    } else if SKIPPED_LISTS.contains(&entity.list_type.as_str()) {
        report.skipped.push((
            entity,
            "DPRK, Iraq and Libya lists hold state companies and funds, not groups",
        ));
    } else if entity
        .name
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| FRONT_WORDS.contains(&w.to_uppercase().as_str()))
    {
        report.skipped.push((
            entity,
            "a front organisation (trust, charity, company, exchange)",
        ));
    } else {
        report.kept.push(entity);
    }
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits one ALIAS_NAME value: some hold several aliases separated by semicolons, with
/// original-script forms marked "(original script)", which are kept as aliases too.
fn split_alias(value: &str) -> Vec<String> {
    let cleaned = value.replace("(original script)", "");
    let mut out = Vec::new();
    for part in cleaned.split(';') {
        let part = part.trim().trim_matches(|c| c == '(' || c == ')').trim();
        if part.is_empty() {
            continue;
        }
        let (base, acronyms) = split_acronyms(part);
        if !base.is_empty() {
            out.push(base);
        }
        out.extend(acronyms);
    }
    out
}

/// "TEHRIK-E TALIBAN PAKISTAN (TTP)" -> ("TEHRIK-E TALIBAN PAKISTAN", ["TTP"]).
pub fn split_acronyms(name: &str) -> (String, Vec<String>) {
    let mut base = String::new();
    let mut acronyms = Vec::new();
    let mut rest = name;
    while let Some(open) = rest.find('(') {
        base.push_str(&rest[..open]);
        match rest[open..].find(')') {
            Some(close) => {
                let inner = rest[open + 1..open + close].trim();
                if !inner.is_empty() && inner.len() <= 40 {
                    acronyms.push(inner.to_string());
                }
                rest = &rest[open + close + 1..];
            }
            None => {
                // An unclosed bracket opens another alias ("Name (original script form").
                // Kept when it looks like a name (a capital, or another script), not a gloss
                // such as "(martyrs".
                let inner = rest[open + 1..].trim();
                if inner
                    .chars()
                    .any(|c| c.is_uppercase() || (c.is_alphabetic() && !c.is_ascii()))
                {
                    acronyms.push(inner.to_string());
                }
                rest = "";
            }
        }
    }
    base.push_str(rest);
    (collapse_whitespace(&base), acronyms)
}

const LOWER_PARTICLES: [&str; 14] = [
    "e", "i", "ul", "al", "el", "wal", "bin", "ibn", "of", "the", "and", "in", "for", "wa",
];

/// Turns the list's upper-case names into readable ones: "HAY'AT TAHRIR AL-SHAM" ->
/// "Hay'at Tahrir al-Sham", "TEHRIK-E TALIBAN PAKISTAN" -> "Tehrik-e Taliban Pakistan".
pub fn readable_name(name: &str) -> String {
    if name.chars().any(|c| c.is_lowercase()) {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len());
    let mut word = String::new();
    let mut first_word = true;
    let flush = |word: &mut String, out: &mut String, first_word: &mut bool| {
        if word.is_empty() {
            return;
        }
        let lower = word.to_lowercase();
        if !*first_word && LOWER_PARTICLES.contains(&lower.as_str()) {
            out.push_str(&lower);
        } else {
            let mut chars = lower.chars();
            if let Some(c) = chars.next() {
                out.extend(c.to_uppercase());
                out.push_str(chars.as_str());
            }
        }
        *first_word = false;
        word.clear();
    };
    for c in name.chars() {
        if c.is_alphanumeric() || havenwatch_core::text::is_apostrophe(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out, &mut first_word);
            out.push(c);
        }
    }
    flush(&mut word, &mut out, &mut first_word);
    out
}

#[derive(Serialize)]
struct OutFile<'a> {
    entity: Vec<OutEntity<'a>>,
}

#[derive(Serialize)]
struct OutEntity<'a> {
    id: String,
    name: String,
    #[serde(rename = "type")]
    entity_type: &'static str,
    aliases: Vec<String>,
    external_ids: BTreeMap<&'static str, &'a str>,
}

/// Writes the kept entities as a gazetteer file, `header` first (as `#` comment lines).
pub fn to_gazetteer_toml(report: &BuildReport, header: &str) -> String {
    let mut entity = Vec::new();
    for e in &report.kept {
        let (base, acronyms) = split_acronyms(&e.name);
        let mut aliases: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        seen.insert(havenwatch_core::text::alias_key(&base));
        for a in acronyms.iter().chain(e.aliases.iter()) {
            if seen.insert(havenwatch_core::text::alias_key(a)) {
                aliases.push(a.clone());
            }
        }
        let mut external_ids = BTreeMap::new();
        external_ids.insert("un", e.reference.as_str());
        entity.push(OutEntity {
            id: format!("un:{}", e.reference),
            name: readable_name(&base),
            entity_type: "armed_group",
            aliases,
            external_ids,
        });
    }
    let body = toml::to_string(&OutFile { entity }).expect("plain data serialises");
    let mut out = String::new();
    for line in header.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_names() {
        assert_eq!(
            readable_name("HAY’AT TAHRIR AL-SHAM"),
            "Hay’at Tahrir al-Sham"
        );
        assert_eq!(
            readable_name("TEHRIK-E TALIBAN PAKISTAN"),
            "Tehrik-e Taliban Pakistan"
        );
        assert_eq!(readable_name("AL-QAIDA"), "Al-Qaida");
        assert_eq!(readable_name("Already Mixed"), "Already Mixed");
    }

    #[test]
    fn aliases_with_nested_lists_and_original_script_are_split() {
        let v = split_alias("Hay’at Tahrir al-Sham (HTS) (هيئة تحرير الشام (original script); Hay’et Tahrir al-Sham; Hayat Tahrir al-Sham)");
        assert_eq!(v[0], "Hay’at Tahrir al-Sham");
        assert!(v.contains(&"HTS".to_string()), "{v:?}");
        assert!(v.contains(&"Hayat Tahrir al-Sham".to_string()), "{v:?}");
        assert!(v.iter().any(|a| a.contains("هيئة")), "{v:?}");
    }

    #[test]
    fn selects_groups_and_reports_what_it_skips() {
        let xml = r#"<CONSOLIDATED_LIST dateGenerated="2024-01-01"><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A PERSON</FIRST_NAME></INDIVIDUAL></INDIVIDUALS><ENTITIES>
<ENTITY><FIRST_NAME>SOME FRONT (SF)</FIRST_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>QDe.900</REFERENCE_NUMBER>
<ENTITY_ALIAS><ALIAS_NAME>Some
      Front Group</ALIAS_NAME></ENTITY_ALIAS><ENTITY_ALIAS><ALIAS_NAME/></ENTITY_ALIAS></ENTITY>
<ENTITY><FIRST_NAME>GOOD WORKS TRUST</FIRST_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>QDe.901</REFERENCE_NUMBER></ENTITY>
<ENTITY><FIRST_NAME>STATE MINING CO</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPe.1</REFERENCE_NUMBER></ENTITY>
</ENTITIES></CONSOLIDATED_LIST>"#;
        let report = parse_consolidated_list(xml).unwrap();
        assert_eq!(report.date_generated, "2024-01-01");
        assert_eq!(report.kept.len(), 1);
        assert_eq!(report.kept[0].aliases, vec!["Some Front Group"]);
        assert_eq!(report.skipped.len(), 2);
        let toml = to_gazetteer_toml(&report, "origin: test");
        assert!(toml.starts_with("# origin: test\n"));
        let mut g = crate::Gazetteer::default();
        g.add_toml("gen.toml", &toml).unwrap();
        let e = g.get("un:QDe.900").unwrap();
        assert_eq!(e.name, "Some Front");
        assert_eq!(e.aliases, vec!["SF", "Some Front Group"]);
    }
}
