//! One text in, every entity mention out: known names, acronyms the text defines, and groups
//! discovered in it.

use crate::discover::{name_runs, trim_name_start, DiscoveryLexicon, DiscoveryPatterns, NameRun};
use crate::fold::FoldedText;
use crate::gazetteer::Gazetteer;
use crate::resolver::{EntityResolver, ResolvedName};
use havenwatch_core::text::slug;
use havenwatch_core::{EntityType, MentionRule};
use std::cell::RefCell;

/// What a mention refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MentionTarget {
    /// An entity of the resolver, by index into [`EntityResolver::entities`].
    Known(usize),
    /// A group or place discovered in this text, by index into [`Analysis::discovered`].
    Discovered(usize),
}

/// One mention in the analysed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundMention {
    pub start: usize,
    pub end: usize,
    pub target: MentionTarget,
    pub rule: MentionRule,
}

/// A group, agency or place that no gazetteer knew, with the evidence that it is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoveredEntity {
    /// `prov:<slug of the name>`, the same for the same name in every document.
    pub id: String,
    pub name: String,
    pub entity_type: EntityType,
    pub rule: MentionRule,
    /// The acronym the text defined for it, if any.
    pub acronym: Option<String>,
    /// Byte span of the evidence: the name with its acronym or its description.
    pub evidence: (usize, usize),
}

/// The mentions of one text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Sorted by position, never overlapping.
    pub mentions: Vec<FoundMention>,
    pub discovered: Vec<DiscoveredEntity>,
}

#[derive(Default)]
struct Scratch {
    folded: FoldedText,
    known: Vec<ResolvedName>,
    runs: Vec<NameRun>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Finds entity mentions in text. Build once (compiling the gazetteer), share across threads.
#[derive(Debug)]
pub struct MentionExtractor {
    resolver: EntityResolver,
    patterns: DiscoveryPatterns,
    lexicon: DiscoveryLexicon,
}

impl MentionExtractor {
    pub fn new(gazetteer: &Gazetteer) -> Self {
        Self::with_lexicon(gazetteer, DiscoveryLexicon::builtin())
    }

    pub fn with_lexicon(gazetteer: &Gazetteer, lexicon: DiscoveryLexicon) -> Self {
        MentionExtractor {
            resolver: EntityResolver::new(gazetteer),
            patterns: DiscoveryPatterns::default(),
            lexicon,
        }
    }

    pub fn resolver(&self) -> &EntityResolver {
        &self.resolver
    }

    /// Analyses one text.
    pub fn analyze(&self, text: &str) -> Analysis {
        self.analyze_then(text, |_| ()).0
    }

    /// Analyses one text and gives its near-duplicate fingerprint,
    /// [`havenwatch_core::text::simhash`], from the fold matching made (not folding it again).
    pub fn analyze_and_fingerprint(&self, text: &str) -> (Analysis, u64) {
        self.analyze_then(text, |folded| {
            havenwatch_core::text::simhash_of_key(&folded.alias_key())
        })
    }

    /// Analyses one text, and gives what `of_fold` computes from its folded form.
    fn analyze_then<T>(&self, text: &str, of_fold: impl FnOnce(&FoldedText) -> T) -> (Analysis, T) {
        SCRATCH.with(|s| {
            let mut scratch = s.borrow_mut();
            let Scratch {
                folded,
                known,
                runs,
            } = &mut *scratch;
            self.resolver.find_all(text, folded, known);
            let extra = of_fold(folded);
            name_runs(text, runs);
            (self.analyze_with(text, known, runs), extra)
        })
    }

    fn analyze_with(&self, text: &str, known: &[ResolvedName], runs: &[NameRun]) -> Analysis {
        let mut analysis = Analysis {
            mentions: known
                .iter()
                .map(|k| FoundMention {
                    start: k.start,
                    end: k.end,
                    target: MentionTarget::Known(k.entity),
                    rule: MentionRule::Gazetteer,
                })
                .collect(),
            discovered: Vec::new(),
        };
        let overlaps_known = |s: usize, e: usize| known.iter().any(|k| k.start < e && s < k.end);
        // Acronyms the text defines, to find their later uses.
        let mut local_acronyms: Vec<(String, MentionTarget)> = Vec::new();

        for &run in runs {
            // 1. "Long Form (LF)".
            if let Some((long, (a0, a1))) = self.patterns.acronym_definition(text, run) {
                let acronym = &text[a0..a1];
                let known_long = known
                    .iter()
                    .find(|k| k.end == long.end && k.start >= long.start && k.start < long.end);
                let target = if let Some(k) = known_long {
                    Some(MentionTarget::Known(k.entity))
                } else if !overlaps_known(long.start, long.end) {
                    let name = &text[long.start..long.end];
                    let entity_type = if self.lexicon.has_group_noun(name) {
                        Some(EntityType::ArmedGroup)
                    } else if self.lexicon.has_agency_noun(name) {
                        Some(EntityType::Agency)
                    } else {
                        None
                    };
                    entity_type.map(|t| {
                        let d = self.discover(
                            &mut analysis,
                            text,
                            long,
                            t,
                            MentionRule::Acronym,
                            (long.start, a1 + 1),
                        );
                        analysis.discovered[d]
                            .acronym
                            .get_or_insert(acronym.to_string());
                        MentionTarget::Discovered(d)
                    })
                } else {
                    None
                };
                if let Some(target) = target {
                    if !overlaps_known(a0, a1) {
                        local_acronyms.push((acronym.to_string(), target));
                    }
                }
            }
            let Some(name_run) = trim_name_start(text, run) else {
                continue;
            };
            let name_run = self.lexicon.trim_leading_of(text, name_run);
            let name_run = self.lexicon.trim_locative_tail(text, name_run);
            if self.blocks_discovery(known, name_run) {
                continue;
            }
            // 2. "Name, a militant group ...".
            if let Some((_, desc_end)) = self.patterns.apposition(text, run) {
                self.discover(
                    &mut analysis,
                    text,
                    name_run,
                    EntityType::ArmedGroup,
                    MentionRule::Apposition,
                    (name_run.start, desc_end),
                );
                continue;
            }
            // 3. A name headed by a group noun.
            let name = &text[name_run.start..name_run.end];
            if name.contains(' ')
                && self.lexicon.has_group_noun(name)
                && !self.lexicon.is_state_force(name, |w| self.is_place(w))
            {
                self.discover(
                    &mut analysis,
                    text,
                    name_run,
                    EntityType::ArmedGroup,
                    MentionRule::GroupNoun,
                    (name_run.start, name_run.end),
                );
                continue;
            }
            // 4. A place named with a place noun: "Kebbi State", "in Djugu territory"; a known
            // name inside it ("Kebbi" in "Kebbi State") is that place already.
            if let Some((place, evidence)) = self
                .lexicon
                .place(text, name_run)
                .filter(|(p, _)| !overlaps_known(p.start, p.end))
            {
                self.discover(
                    &mut analysis,
                    text,
                    place,
                    EntityType::Location,
                    MentionRule::PlaceNoun,
                    evidence,
                );
            }
        }

        // Later uses of acronyms the text defined, and of discovered names.
        for (acronym, target) in &local_acronyms {
            add_occurrences(
                &mut analysis.mentions,
                text,
                acronym,
                *target,
                MentionRule::Acronym,
            );
        }
        for d in 0..analysis.discovered.len() {
            let (name, rule) = (
                analysis.discovered[d].name.clone(),
                analysis.discovered[d].rule,
            );
            add_occurrences(
                &mut analysis.mentions,
                text,
                &name,
                MentionTarget::Discovered(d),
                rule,
            );
        }
        // Overlaps: the longer mention wins ("the Serrat Mountain Army" is a group, not the
        // place "the Serrat"), then the earlier.
        analysis
            .mentions
            .sort_by_key(|m| (std::cmp::Reverse(m.end - m.start), m.start));
        let mut kept: Vec<FoundMention> = Vec::with_capacity(analysis.mentions.len());
        for m in analysis.mentions.drain(..) {
            if !kept.iter().any(|k| k.start < m.end && m.start < k.end) {
                kept.push(m);
            }
        }
        kept.sort_by_key(|m| m.start);
        analysis.mentions = kept;
        analysis
    }

    /// Whether known names in `run` stop it being a new group. A place inside a longer name
    /// headed by a group noun does not ("Serrat Mountain Army" holds the place "Serrat");
    /// any other known name does.
    fn blocks_discovery(&self, known: &[ResolvedName], run: NameRun) -> bool {
        known
            .iter()
            .filter(|k| k.start < run.end && run.start < k.end)
            .any(|k| {
                let is_place = matches!(
                    self.resolver.entity(k.entity).entity_type,
                    EntityType::Location | EntityType::State
                );
                !(is_place && k.start + 4 >= run.start && k.end < run.end)
            })
    }

    fn is_place(&self, word: &str) -> bool {
        self.resolver.lookup(word).is_some_and(|e| {
            matches!(
                self.resolver.entity(e).entity_type,
                EntityType::Location | EntityType::State
            )
        })
    }

    /// Records a discovered entity (once per name per text) and its mention; returns its index.
    fn discover(
        &self,
        analysis: &mut Analysis,
        text: &str,
        run: NameRun,
        entity_type: EntityType,
        rule: MentionRule,
        evidence: (usize, usize),
    ) -> usize {
        let name = text[run.start..run.end].to_string();
        let id = format!("prov:{}", slug(&self.resolver.key(&name)));
        let d = match analysis.discovered.iter().position(|d| d.id == id) {
            Some(d) => d,
            None => {
                analysis.discovered.push(DiscoveredEntity {
                    id,
                    name,
                    entity_type,
                    rule,
                    acronym: None,
                    evidence,
                });
                analysis.discovered.len() - 1
            }
        };
        analysis.mentions.push(FoundMention {
            start: run.start,
            end: run.end,
            target: MentionTarget::Discovered(d),
            rule,
        });
        d
    }
}

/// Adds a mention for each whole-word occurrence of `needle`; overlaps are settled after.
fn add_occurrences(
    mentions: &mut Vec<FoundMention>,
    text: &str,
    needle: &str,
    target: MentionTarget,
    rule: MentionRule,
) {
    let is_word_char = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-');
    for (pos, _) in text.match_indices(needle) {
        let end = pos + needle.len();
        if is_word_char(text[..pos].chars().next_back()) || is_word_char(text[end..].chars().next())
        {
            continue;
        }
        if mentions.iter().any(|m| m.start == pos && m.end == end) {
            continue;
        }
        mentions.push(FoundMention {
            start: pos,
            end,
            target,
            rule,
        });
    }
}
