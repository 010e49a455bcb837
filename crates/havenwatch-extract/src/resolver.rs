//! Known names, compiled once into one Aho-Corasick automaton over folded text.

use crate::fold::{FoldedText, Variants};
use crate::gazetteer::{Gazetteer, ACT_NOUNS, GOVERNMENT_NOUNS, LAND_NOUNS};
use aho_corasick::{AhoCorasick, MatchKind};
use havenwatch_core::text::alias_key;
use havenwatch_core::EntityType;
use std::collections::HashMap;

/// An entity the resolver can name, by index into [`EntityResolver::entities`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolverEntity {
    pub id: String,
    pub name: String,
    pub entity_type: EntityType,
    /// The UN sanctions list it is on, as the prefix of its UN reference number ("QDe").
    pub sanctions_list: Option<String>,
}

/// How strictly an alias must match the case of the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CaseRule {
    /// Any case: full names are distinctive.
    Fold,
    /// Acronyms (`TTP`, `IS-K`): only in capitals, and not inside an all-capitals headline.
    Capitals,
}

#[derive(Clone, Debug)]
struct Pattern {
    /// The entity the name itself names; none for a demonym that is no alias of its own.
    entity: Option<usize>,
    case: CaseRule,
    /// A demonym ("Nigerian"): with a noun after it, a government or a land.
    demonym: Option<usize>,
}

/// A demonym's targets, by entity index.
#[derive(Clone, Debug)]
struct DemonymTargets {
    government: Option<usize>,
    land: Option<usize>,
}

/// A known name found in text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedName {
    pub start: usize,
    pub end: usize,
    pub entity: usize,
}

/// Finds every known name in a text in one pass, and resolves single names.
#[derive(Debug)]
pub struct EntityResolver {
    entities: Vec<ResolverEntity>,
    /// Built on first use: resolving a single name (`show NAME`) needs only `by_key`, and a
    /// command that never scans text should not pay for compiling thousands of names.
    automaton: std::sync::OnceLock<AhoCorasick>,
    /// The folded names the automaton matches, in automaton pattern order.
    automaton_keys: Vec<String>,
    /// Automaton pattern id -> index into `patterns`.
    matched: Vec<usize>,
    patterns: Vec<Pattern>,
    by_key: HashMap<String, usize>,
    variants: Variants,
    demonyms: Vec<DemonymTargets>,
    /// The folded nouns that follow a demonym, longest first, and whether each names the land.
    demonym_nouns: Vec<(String, bool)>,
    /// The folded nouns of a government's acts ("support"), after which a demonym alone names
    /// the government.
    act_nouns: Vec<String>,
    by_id: HashMap<String, usize>,
    monitors: Vec<crate::gazetteer::Monitor>,
    /// (group, parent) where an alias of the group names it as the parent's branch: "West
    /// African branch of Islamic State".
    alias_parents: Vec<(usize, usize)>,
}

/// The words by which an alias names a group as part of another: "the West African branch of
/// Islamic State"; or, after a possessive, "al-Qaeda's Yemeni branch" ([`BRANCH_NOUNS`]).
const BRANCH_WORDS: [&str; 6] = [
    " branch of ",
    " affiliate of ",
    " wing of ",
    " franchise of ",
    " arm of ",
    " province of ",
];
/// The last word of an alias that names a group as its possessor's part: "al-Qaeda's Yemeni
/// branch".
const BRANCH_NOUNS: [&str; 5] = [" branch", " affiliate", " wing", " franchise", " province"];

/// The parent an alias names its group a branch of, as written: "islamic state" in "the West
/// African branch of Islamic State" and in "Islamic State's West Africa branch" (lowercase).
pub fn branch_parent(alias: &str) -> Option<String> {
    let lower = format!(" {} ", alias.to_lowercase().replace('’', "'"));
    if let Some(tail) = BRANCH_WORDS
        .iter()
        .find_map(|w| lower.find(w).map(|p| &lower[p + w.len()..]))
    {
        return Some(tail.trim().to_string());
    }
    let trimmed = lower.trim_end();
    if BRANCH_NOUNS.iter().any(|n| trimmed.ends_with(n)) {
        return lower.find("'s ").map(|p| lower[..p].trim().to_string());
    }
    None
}

impl EntityResolver {
    /// Compiles a gazetteer. Where two entities share an alias, the one whose canonical name it
    /// is wins, then the one loaded first; the other keeps its remaining aliases.
    pub fn new(gazetteer: &Gazetteer) -> Self {
        let variants = gazetteer.variants();
        let stop: std::collections::HashSet<String> = gazetteer
            .stop_keys()
            .into_iter()
            .map(|k| variants.apply_to_key(&k))
            .collect();
        let mut entities = Vec::with_capacity(gazetteer.len());
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut keys: Vec<String> = Vec::new();
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut canonical: HashMap<String, bool> = HashMap::new();
        let key_of = |name: &str| variants.apply_to_key(&alias_key(name));
        // "Nigerian army" and the like: looked up by key, matched as demonym then noun.
        let mut demonym_nouns: Vec<(String, bool)> = GOVERNMENT_NOUNS
            .iter()
            .map(|n| (key_of(n), false))
            .chain(LAND_NOUNS.iter().map(|n| (key_of(n), true)))
            .collect();
        demonym_nouns.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
        let pair_keys: std::collections::HashSet<String> = gazetteer
            .demonyms()
            .iter()
            .flat_map(|d| {
                let word = key_of(&d.word);
                demonym_nouns
                    .iter()
                    .map(move |(n, _)| format!("{word} {n}"))
            })
            .collect();
        let mut in_automaton: Vec<bool> = Vec::new();
        for entry in gazetteer.entries() {
            let idx = entities.len();
            entities.push(ResolverEntity {
                id: entry.id.clone(),
                name: entry.name.clone(),
                entity_type: entry.entity_type,
                sanctions_list: entry
                    .external_ids
                    .iter()
                    .find(|x| x.scheme == "un")
                    .and_then(|x| x.value.split('.').next())
                    .map(str::to_string),
            });
            for (n, name) in entry.names().into_iter().enumerate() {
                let key = variants.apply_to_key(&alias_key(name));
                if key.is_empty() || stop.contains(&key) {
                    continue;
                }
                let is_canonical = n == 0;
                let case = if is_acronym(name) {
                    CaseRule::Capitals
                } else {
                    CaseRule::Fold
                };
                match by_key.get(&key) {
                    Some(&p) => {
                        // Taken: a canonical name displaces an alias, never the reverse.
                        if is_canonical && !canonical[&key] {
                            patterns[p].entity = Some(idx);
                            patterns[p].case = case;
                            canonical.insert(key, true);
                        }
                    }
                    None => {
                        by_key.insert(key.clone(), patterns.len());
                        canonical.insert(key.clone(), is_canonical);
                        in_automaton.push(!pair_keys.contains(&key));
                        keys.push(key);
                        patterns.push(Pattern {
                            entity: Some(idx),
                            case,
                            demonym: None,
                        });
                    }
                }
            }
        }
        let mut demonyms = Vec::new();
        for d in gazetteer.demonyms() {
            let key = key_of(&d.word);
            if key.is_empty() {
                continue;
            }
            let p = match by_key.get(&key) {
                Some(&p) => p,
                None => {
                    by_key.insert(key.clone(), patterns.len());
                    in_automaton.push(true);
                    keys.push(key);
                    patterns.push(Pattern {
                        entity: None,
                        case: if is_acronym(&d.word) {
                            CaseRule::Capitals
                        } else {
                            CaseRule::Fold
                        },
                        demonym: None,
                    });
                    patterns.len() - 1
                }
            };
            patterns[p].demonym = Some(demonyms.len());
            demonyms.push(DemonymTargets {
                government: d.government,
                land: d.land,
            });
        }
        let act_nouns: Vec<String> = ACT_NOUNS.iter().map(|n| key_of(n)).collect();
        let matched: Vec<usize> = (0..keys.len()).filter(|&p| in_automaton[p]).collect();
        let automaton_keys: Vec<String> = matched.iter().map(|&p| keys[p].clone()).collect();
        let mut resolver = EntityResolver {
            entities,
            automaton: std::sync::OnceLock::new(),
            automaton_keys,
            matched,
            patterns,
            by_key,
            variants,
            demonyms,
            demonym_nouns,
            act_nouns,
            by_id: gazetteer
                .entries()
                .iter()
                .enumerate()
                .map(|(i, e)| (e.id.clone(), i))
                .collect(),
            monitors: gazetteer.monitors().to_vec(),
            alias_parents: Vec::new(),
        };
        let mut parents = Vec::new();
        for (i, entry) in gazetteer.entries().iter().enumerate() {
            if entry.entity_type != EntityType::ArmedGroup {
                continue;
            }
            for alias in &entry.aliases {
                let Some(parent) = branch_parent(alias) else {
                    continue;
                };
                if let Some(p) = resolver.lookup(&parent) {
                    if p != i && resolver.entities[p].entity_type == EntityType::ArmedGroup {
                        parents.push((i, p));
                    }
                }
            }
        }
        parents.dedup();
        resolver.alias_parents = parents;
        resolver
    }

    /// (group, parent) pairs where an alias of the group names it as the parent's branch.
    pub fn alias_parents(&self) -> &[(usize, usize)] {
        &self.alias_parents
    }

    /// The entity with this id.
    pub fn by_id(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Every (wider body, listed entity, reporting body) the monitors make: the Monitoring
    /// Team writes the UN's reports on each entity of the QDe list.
    pub fn reporting_bodies(&self) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for (i, e) in self.entities.iter().enumerate() {
            let Some(list) = e.sanctions_list.as_deref() else {
                continue;
            };
            for m in self.monitors.iter().filter(|m| m.covers(list)) {
                out.extend(m.within.iter().map(|&w| (w, i, m.body)));
            }
        }
        out
    }

    /// The body that writes the reports `named` stands for, on the sanctions list `listed`
    /// is on: the Monitoring Team for a "UN report" on a group of the QDe list.
    pub fn monitor_of(&self, named: &str, listed: &str) -> Option<usize> {
        let named = self.by_id(named)?;
        let list = self.entities[self.by_id(listed)?]
            .sanctions_list
            .as_deref()?;
        self.monitors
            .iter()
            .find(|m| m.within.contains(&named) && m.covers(list))
            .map(|m| m.body)
    }

    pub fn entities(&self) -> &[ResolverEntity] {
        &self.entities
    }

    pub fn entity(&self, idx: usize) -> &ResolverEntity {
        &self.entities[idx]
    }

    pub fn variants(&self) -> &Variants {
        &self.variants
    }

    /// Number of distinct folded names the automaton matches.
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// The folded key of a name, as the automaton sees it.
    pub fn key(&self, name: &str) -> String {
        self.variants.apply_to_key(&alias_key(name))
    }

    /// Resolves one name (any alias, any spelling variant) to an entity.
    pub fn lookup(&self, name: &str) -> Option<usize> {
        let key = self.key(name);
        let key = match self.by_key.contains_key(&key) {
            true => key,
            false => key.strip_prefix("the ").unwrap_or(&key).to_string(),
        };
        let p = self.by_key.get(&key)?;
        let pattern = &self.patterns[*p];
        if pattern.case == CaseRule::Capitals && !name.chars().any(|c| c.is_uppercase()) {
            // "is" is not "IS"; but a person typing `show ttp` means TTP.
            if key.len() <= 2 {
                return None;
            }
        }
        pattern.entity
    }

    /// Whether the demonym ending at `fe` (in folded text) is one of a list of demonyms whose
    /// last has a government or land noun after it, and which kind (true: land).
    fn shared_noun<'n>(
        &self,
        folded: &FoldedText,
        fe: usize,
        noun_at: &dyn Fn(usize) -> Option<&'n (String, bool)>,
    ) -> Option<bool> {
        let text = folded.text.as_str();
        let mut at = fe;
        for _ in 0..4 {
            // Folded text has no commas: "Nigerian, Chadian and" folds to "nigerian chadian and".
            let rest = &text[at..];
            let rest = rest
                .strip_prefix(" and ")
                .or_else(|| rest.strip_prefix(" or "))
                .or_else(|| rest.strip_prefix(' '))?;
            let skip = text.len() - rest.len();
            let word_end = rest.find(' ').map_or(text.len(), |p| skip + p);
            let word = &text[skip..word_end];
            let p = *self.by_key.get(word)?;
            self.patterns[p].demonym?;
            if let Some((_, land)) = noun_at(word_end) {
                return Some(*land);
            }
            at = word_end;
        }
        None
    }

    /// Finds every known name in `text`: longest, then leftmost, never overlapping.
    /// `folded` is scratch space, reused across calls to avoid allocating.
    pub fn find_all(&self, text: &str, folded: &mut FoldedText, out: &mut Vec<ResolvedName>) {
        out.clear();
        folded.fold(text, &self.variants);
        let automaton = self.automaton.get_or_init(|| {
            AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .match_kind(MatchKind::Standard)
                .build(&self.automaton_keys)
                .expect("gazetteer keys build an automaton")
        });
        for m in automaton.find_overlapping_iter(folded.text.as_str()) {
            let (fs, fe) = (m.start(), m.end());
            if !folded.on_word_boundaries(fs, fe) {
                continue;
            }
            let pattern = &self.patterns[self.matched[m.pattern().as_usize()]];
            let (start, end) = folded.original_span(fs, fe);
            if pattern.case == CaseRule::Capitals && !capitals_in_context(text, start, end) {
                continue;
            }
            if let Some(d) = pattern.demonym {
                // "Nigerian army", "Afghan soil": the demonym with the noun after it.
                // Whether the folded word `n` follows, after one space, at `at`.
                let follows = |at: usize, n: &str| {
                    let rest = &folded.text[at..];
                    rest.len() > n.len()
                        && rest.as_bytes()[0] == b' '
                        && rest[1..].starts_with(n)
                        && folded.on_word_boundaries(at + 1, at + 1 + n.len())
                };
                let noun_at = |at: usize| self.demonym_nouns.iter().find(|(n, _)| follows(at, n));
                let targets = &self.demonyms[d];
                let target = |land: bool| {
                    if land {
                        targets.land
                    } else {
                        targets.government
                    }
                };
                if let Some((n, land)) = noun_at(fe) {
                    if let Some(entity) = target(*land) {
                        let (_, end) = folded.original_span(fs, fe + 1 + n.len());
                        out.push(ResolvedName { start, end, entity });
                    }
                } else if let Some(land) = self.shared_noun(folded, fe, &noun_at) {
                    // "Mozambican and Rwandan forces", "Nigerian, Chadian and Cameroonian
                    // troops": the noun after the last demonym is every one's.
                    if let Some(entity) = target(land) {
                        out.push(ResolvedName { start, end, entity });
                    }
                } else if let Some(entity) = targets.government {
                    // "Iranian support to ...": the demonym alone names the government.
                    if self.act_nouns.iter().any(|n| follows(fe, n)) {
                        out.push(ResolvedName { start, end, entity });
                    }
                }
            }
            if let Some(entity) = pattern.entity {
                out.push(ResolvedName { start, end, entity });
            }
        }
        // Longest first, then leftmost: "the Tarvik Liberation Front" is the group, not the
        // place alias "the Tarvik" that starts one word earlier.
        out.sort_by(|a, b| {
            (b.end - b.start)
                .cmp(&(a.end - a.start))
                .then(a.start.cmp(&b.start))
        });
        let mut kept = 0;
        for i in 0..out.len() {
            let m = out[i].clone();
            if !out[..kept]
                .iter()
                .any(|k| k.start < m.end && m.start < k.end)
            {
                out[kept] = m;
                kept += 1;
            }
        }
        out.truncate(kept);
        out.sort_by_key(|m| m.start);
    }
}

/// An alias written as an acronym: capitals (and digits, hyphens) only, short.
fn is_acronym(name: &str) -> bool {
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    (2..=8).contains(&letters)
        && !name.contains(' ')
        && name
            .chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '-' || c == '.')
}

/// Whether the surface at `[start, end)` is written in capitals, and is not merely part of a
/// headline in capitals (where every word would look like an acronym).
fn capitals_in_context(text: &str, start: usize, end: usize) -> bool {
    let surface = &text[start..end];
    if !surface
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase)
    {
        return false;
    }
    let is_caps_word = |w: &str| {
        let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
        letters.len() >= 3 && letters.iter().all(|c| c.is_uppercase())
    };
    let before = text[..start].split_whitespace().next_back();
    let after = text[end..].split_whitespace().next();
    !(before.is_some_and(is_caps_word) && after.is_some_and(is_caps_word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver() -> EntityResolver {
        let mut g = Gazetteer::default();
        g.add_toml(
            "t.toml",
            r#"
stop_aliases = ["The Base"]
[variants]
tehreek = "tehrik"
i = "e"
qaeda = "qaida"
[[entity]]
id = "ttp"
name = "Tehrik-e Taliban Pakistan"
type = "armed_group"
aliases = ["TTP", "Pakistani Taliban"]
[[entity]]
id = "aq"
name = "Al-Qaida"
type = "armed_group"
aliases = ["AQ", "The Base"]
[[entity]]
id = "is"
name = "Islamic State"
type = "armed_group"
aliases = ["IS"]
[[entity]]
id = "pk"
name = "Pakistan"
type = "location"
"#,
        )
        .unwrap();
        EntityResolver::new(&g)
    }

    fn names(r: &EntityResolver, text: &str) -> Vec<(String, String)> {
        let mut folded = FoldedText::default();
        let mut out = Vec::new();
        r.find_all(text, &mut folded, &mut out);
        out.iter()
            .map(|m| {
                (
                    text[m.start..m.end].to_string(),
                    r.entity(m.entity).id.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn longest_match_wins_and_variants_fold() {
        let found = names(
            &resolver(),
            "Tehreek-i-Taliban Pakistan (TTP) and al-Qaeda's men left Pakistan.",
        );
        assert_eq!(
            found,
            vec![
                ("Tehreek-i-Taliban Pakistan".into(), "ttp".into()),
                ("TTP".into(), "ttp".into()),
                ("al-Qaeda".into(), "aq".into()),
                ("Pakistan".into(), "pk".into()),
            ]
        );
    }

    #[test]
    fn an_alias_may_name_its_group_a_branch_of_another() {
        use super::branch_parent;
        assert_eq!(
            branch_parent("West African branch of Islamic State").as_deref(),
            Some("islamic state")
        );
        assert_eq!(
            branch_parent("al-Qaeda’s Yemeni branch").as_deref(),
            Some("al-qaeda")
        );
        assert_eq!(branch_parent("Islamic State West Africa Province"), None);
        assert_eq!(branch_parent("Branch Davidians"), None);
    }

    #[test]
    fn acronyms_need_capitals_and_stop_aliases_never_match() {
        let r = resolver();
        assert!(names(&r, "This is the base of the hills, aq.").is_empty());
        assert_eq!(names(&r, "IS fighters").len(), 1);
        assert!(
            names(&r, "WHY IS THIS NEWS").is_empty(),
            "headline in capitals"
        );
        assert!(names(&r, "Pakistanis").is_empty(), "whole words only");
    }

    #[test]
    fn lookup_resolves_any_alias() {
        let r = resolver();
        let ttp = r.lookup("Tehreek-e-Taliban Pakistan").unwrap();
        assert_eq!(r.entity(ttp).id, "ttp");
        assert_eq!(r.lookup("ttp"), Some(ttp));
        assert_eq!(r.lookup("the Pakistani Taliban"), Some(ttp));
        assert_eq!(r.lookup("Taliban"), None);
        assert_eq!(r.lookup("Pakistani Taliban"), Some(ttp));
        assert_eq!(r.lookup("is"), None);
    }
}
