//! Claims from text: relation triggers between entity mentions, under the attributions that
//! carry them.
//!
//! For each sentence: attributions (who says what) are found first; each relation trigger of
//! the claim lexicon (`data/claims.toml`) then takes its subject and object from the nearest
//! mentions of the allowed types on its two sides, with the mentions coordinated with them.
//! The claim's source is the innermost attribution whose content holds the trigger (resolved to
//! an entity, a back-reference to an earlier source, or a generic party such as "officials"),
//! its `via` the chain of attributions from the outermost; without attribution the publisher
//! asserts it. Hedges and negations in the clause set modality and negation; a denial around a
//! claim adds the denied claim too.

use crate::attribution::{word_before, Attribution, AttributionExtractor, CueClass, COMMENT_VERBS};
use crate::mentions::MentionExtractor;
use crate::quantity::CountFinder;
use crate::sentences::split_sentences;
use crate::{kept_matches, one_of};
use aho_corasick::{AhoCorasick, MatchKind};
use havenwatch_core::{
    Claim, EntityId, EntityRef, EntityType, Modality, Predicate, Qualifiers, Source, Span,
};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// An entity mention as the claim extractor sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MentionRef {
    pub start: usize,
    pub end: usize,
    pub id: String,
    pub name: String,
    pub entity_type: EntityType,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TriggerToml {
    predicate: String,
    subject: String,
    object: String,
    phrases: Vec<String>,
    subject_types: Vec<String>,
    object_types: Vec<String>,
    #[serde(default)]
    symmetric: bool,
    #[serde(default)]
    object_optional: bool,
    /// A `supports` trigger too general to be support without a kind of support named near
    /// it: "gave the Taliban a list" is no support, "gave the TTP weapons" is.
    #[serde(default)]
    needs_support_kind: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HedgesToml {
    speculative: Vec<String>,
    assessed: Vec<String>,
    alleged: Vec<String>,
    reported: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconToml {
    trigger: Vec<TriggerToml>,
    support_types: BTreeMap<String, String>,
    hedges: HedgesToml,
    negations: Vec<String>,
    back_references: Vec<String>,
    generic_sources: Vec<String>,
    metonyms: BTreeMap<String, String>,
}

#[derive(Clone, Debug)]
struct Trigger {
    predicate: Predicate,
    subject_before: bool,
    object_before: bool,
    subject_types: Vec<EntityType>,
    object_types: Vec<EntityType>,
    symmetric: bool,
    object_optional: bool,
    needs_support_kind: bool,
}

/// A phrase list compiled into one case-insensitive automaton.
#[derive(Debug)]
struct PhraseSet {
    automaton: AhoCorasick,
    phrases: Vec<String>,
}

impl PhraseSet {
    fn new(phrases: &[String]) -> Self {
        let phrases: Vec<String> = phrases.iter().map(|p| p.trim().to_lowercase()).collect();
        PhraseSet {
            automaton: AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(&phrases)
                .expect("phrases build an automaton"),
            phrases,
        }
    }

    /// Whole-word matches in `text[s..e]`: (start, end, phrase index).
    fn find(&self, text: &str, s: usize, e: usize) -> Vec<(usize, usize, usize)> {
        kept_matches(&self.automaton, text, s, e, |m| {
            word_bounded(text, m.start(), m.end())
        })
        .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
        .collect()
    }
}

fn word_bounded(text: &str, s: usize, e: usize) -> bool {
    let before = text[..s].chars().next_back();
    let after = text[e..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Errors in a claim lexicon file.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    #[error("trigger {index}: {message}")]
    Trigger { index: usize, message: String },
}

/// The claim extractor: compile once, use from many threads.
#[derive(Debug)]
pub struct ClaimExtractor {
    attribution: AttributionExtractor,
    triggers: Vec<Trigger>,
    /// Phrase index -> the triggers it names (a phrase such as "killed" can be an attack or
    /// an action against a group; argument types decide).
    trigger_of: Vec<Vec<usize>>,
    trigger_phrases: PhraseSet,
    support: PhraseSet,
    support_values: Vec<String>,
    hedges: PhraseSet,
    hedge_modality: Vec<Modality>,
    negations: PhraseSet,

    /// Words by which a sentence without names may still refer to one ("The group ..."),
    /// then words by which it goes on with the previous one's report ("likewise"): one pass
    /// finds both.
    sentence_words: PhraseSet,
    back_references: Vec<String>,
    generic_sources: Vec<String>,
    metonyms: HashMap<String, String>,
    /// Canonical names by entity id, for entities a metonym stands for.
    names: HashMap<String, String>,
    /// (A wider UN body, a listed group) -> the body that reports on the group: "a UN
    /// report" on a group of the QDe list is the Monitoring Team's (the gazetteer's monitors).
    reporting_bodies: HashMap<String, HashMap<String, String>>,
    /// (group id, the group an alias of it names it a branch of: "West African branch of
    /// Islamic State"): a mention by that alias also tells the tie. A handful of pairs,
    /// scanned for every group mention: a list, not a hash map.
    alias_parents: Vec<(String, String)>,
    counts: CountFinder,
    killed: KilledFinder,
}

fn parse_types(list: &[String], index: usize) -> Result<Vec<EntityType>, LexiconError> {
    list.iter()
        .map(|t| {
            t.parse()
                .map_err(|e: havenwatch_core::ParseEnumError| LexiconError::Trigger {
                    index,
                    message: e.to_string(),
                })
        })
        .collect()
}

fn side(s: &str, index: usize) -> Result<bool, LexiconError> {
    match s {
        "before" => Ok(true),
        "after" => Ok(false),
        other => Err(LexiconError::Trigger {
            index,
            message: format!("`{other}` is not `before` or `after`"),
        }),
    }
}

impl ClaimExtractor {
    /// The extractor with the lexicons that ship with havenwatch.
    pub fn builtin() -> Self {
        Self::from_toml(
            include_str!("../data/claims.toml"),
            AttributionExtractor::for_claims(),
        )
        .expect("the built-in claim lexicon is valid (tested)")
    }

    pub fn from_toml(text: &str, attribution: AttributionExtractor) -> Result<Self, LexiconError> {
        let lex: LexiconToml = toml::from_str(text)?;
        let mut triggers = Vec::new();
        let mut trigger_of: Vec<Vec<usize>> = Vec::new();
        let mut phrases: Vec<String> = Vec::new();
        for (i, t) in lex.trigger.iter().enumerate() {
            let predicate = t
                .predicate
                .parse()
                .map_err(|e: havenwatch_core::ParseEnumError| LexiconError::Trigger {
                    index: i + 1,
                    message: e.to_string(),
                })?;
            triggers.push(Trigger {
                predicate,
                subject_before: side(&t.subject, i + 1)?,
                object_before: side(&t.object, i + 1)?,
                subject_types: parse_types(&t.subject_types, i + 1)?,
                object_types: parse_types(&t.object_types, i + 1)?,
                symmetric: t.symmetric,
                object_optional: t.object_optional,
                needs_support_kind: t.needs_support_kind,
            });
            for p in &t.phrases {
                let p = p.trim().to_lowercase();
                match phrases.iter().position(|q| *q == p) {
                    Some(k) => trigger_of[k].push(i),
                    None => {
                        phrases.push(p);
                        trigger_of.push(vec![i]);
                    }
                }
            }
        }
        let (support_keys, support_values): (Vec<String>, Vec<String>) =
            lex.support_types.into_iter().unzip();
        let mut hedge_phrases = Vec::new();
        let mut hedge_modality = Vec::new();
        for (list, m) in [
            (&lex.hedges.speculative, Modality::Speculative),
            (&lex.hedges.assessed, Modality::Assessed),
            (&lex.hedges.alleged, Modality::Alleged),
            (&lex.hedges.reported, Modality::Reported),
        ] {
            for p in list {
                hedge_phrases.push(p.clone());
                hedge_modality.push(m);
            }
        }
        Ok(ClaimExtractor {
            attribution,
            triggers,
            trigger_of,
            trigger_phrases: PhraseSet::new(&phrases),
            support: PhraseSet::new(&support_keys),
            support_values,
            hedges: PhraseSet::new(&hedge_phrases),
            hedge_modality,
            negations: PhraseSet::new(&lex.negations),
            sentence_words: PhraseSet::new(
                &ANAPHORS
                    .iter()
                    .chain(CONTINUATIONS.iter())
                    .map(|w| w.to_string())
                    .collect::<Vec<_>>(),
            ),
            back_references: lex
                .back_references
                .iter()
                .map(|s| s.to_lowercase())
                .collect(),
            generic_sources: lex
                .generic_sources
                .iter()
                .map(|s| s.to_lowercase())
                .collect(),
            metonyms: lex.metonyms.into_iter().collect(),
            names: HashMap::new(),
            reporting_bodies: HashMap::new(),
            alias_parents: Vec::new(),
            counts: CountFinder::default(),
            killed: KilledFinder::default(),
        })
    }

    /// The built-in extractor, knowing the names of the resolver's entities.
    pub fn for_resolver(resolver: &crate::EntityResolver) -> Self {
        let mut x = Self::builtin().with_names(
            resolver
                .entities()
                .iter()
                .map(|e| (e.id.clone(), e.name.clone())),
        );
        let id = |i: usize| resolver.entity(i).id.clone();
        for (within, listed, body) in resolver.reporting_bodies() {
            x.reporting_bodies
                .entry(id(within))
                .or_default()
                .insert(id(listed), id(body));
        }
        x.alias_parents = resolver
            .alias_parents()
            .iter()
            .map(|&(group, parent)| (id(group), id(parent)))
            .collect();
        x
    }

    /// The body that writes the reports the wider UN body `named` stands for, on the first
    /// listed group of the sentence, else of the document: "a UN report" on the TTP is the
    /// Monitoring Team's.
    fn reporting_body(
        &self,
        named: &str,
        sentence_mentions: &[&MentionRef],
        all: &[MentionRef],
    ) -> Option<Source> {
        let bodies = self.reporting_bodies.get(named)?;
        let body = sentence_mentions
            .iter()
            .copied()
            .chain(all.iter())
            .filter(|m| m.entity_type == EntityType::ArmedGroup)
            .find_map(|m| bodies.get(&m.id))?;
        Some(Source {
            entity: Some(EntityId(body.clone())),
            name: self.name_of(body),
        })
    }

    /// Gives the extractor the canonical names of entities (from the gazetteer), used when a
    /// metonym names an entity the text does not ("Kabul rejects" -> the Taliban).
    pub fn with_names(mut self, names: impl IntoIterator<Item = (String, String)>) -> Self {
        self.names.extend(names);
        self
    }

    pub fn attribution(&self) -> &AttributionExtractor {
        &self.attribution
    }

    /// The claims of a text. `mentions` must be sorted by position and not overlap.
    pub fn extract(
        &self,
        text: &str,
        publisher: Option<&str>,
        mentions: &[MentionRef],
    ) -> Vec<Claim> {
        self.extract_with_headline(text, publisher, mentions, None)
    }

    /// As [`ClaimExtractor::extract`], for a document whose headline names the party its "the
    /// report" means ("UN panel: ..." over "The report also finds ..."): a back-reference with
    /// no source named before it in the text is `headline`.
    pub fn extract_with_headline(
        &self,
        text: &str,
        publisher: Option<&str>,
        mentions: &[MentionRef],
        headline: Option<Source>,
    ) -> Vec<Claim> {
        let mut doc = DocState {
            publisher: publisher.unwrap_or("(unknown publisher)").to_string(),
            last_source: None,
            last_person: None,
            self_voice: false,
            headline,
            last_author: None,
        };
        let mut claims: Vec<Claim> = Vec::new();
        let mut previous: Option<(Source, Modality)> = None;
        let mut next_mention = 0usize;
        // Buffers reused from one sentence to the next.
        let mut sentence_mentions: Vec<&MentionRef> = Vec::new();
        let mut atts: Vec<Attribution> = Vec::new();
        let mut sources: Vec<Option<Source>> = Vec::new();
        for (s, e) in split_sentences(text) {
            // Mentions are sorted: walk them alongside the sentences.
            while next_mention < mentions.len() && mentions[next_mention].start < s {
                next_mention += 1;
            }
            sentence_mentions.clear();
            sentence_mentions.extend(mentions[next_mention..].iter().take_while(|m| m.end <= e));
            atts.clear();
            self.attribution.extract_sentence(text, s, e, &mut atts);
            // Resolve every attribution's source once (it also updates the document's memory).
            sources.clear();
            for a in &atts {
                let source = self.resolve_source(text, a, &sentence_mentions, mentions, &mut doc);
                sources.push(source);
            }
            // Anaphors matter without names, continuations without attributions.
            let (anaphor, continuation) = if sentence_mentions.is_empty() || atts.is_empty() {
                let mut found = (false, false);
                for (_, _, i) in self.sentence_words.find(text, s, e) {
                    if i < ANAPHORS.len() {
                        found.0 = true;
                    } else {
                        found.1 = true;
                    }
                }
                found
            } else {
                (false, false)
            };
            // A sentence that goes on with what the previous one reported ("X likewise ...",
            // "It also ...") is still that source's.
            let inherited = if atts.is_empty()
                && (continuation || self.hedge(text, s, e, |_| true) == Some(Modality::Reported))
            {
                previous.clone()
            } else {
                None
            };
            let ctx = Sentence {
                text,
                s,
                e,
                mentions: &sentence_mentions,
                all: mentions,
                atts: &atts,
                sources: &sources,
                inherited,
                paren_cache: Default::default(),
            };
            // A relation needs a name in its sentence (a pronoun's referent is named before
            // it, in this sentence or an earlier one): sentences without one only count.
            let triggers = if sentence_mentions.is_empty() && !anaphor {
                Vec::new()
            } else {
                self.trigger_phrases.find(text, s, e)
            };
            for (ts, te, p) in triggers {
                // A trigger word inside a name ("... Liberation Army") is no trigger.
                if sentence_mentions.iter().any(|m| m.start < te && ts < m.end) {
                    continue;
                }
                // "the outlawed TTP", "a banned group": an adjective, not an event.
                if adjectival(text, s, ts) {
                    continue;
                }
                // "Iran arms the Houthis", "it arms the RSF" (a verb after a name or a pronoun),
                // not "NATO-caliber arms were passed to ...", "small arms" (a noun).
                if text[ts..te].eq_ignore_ascii_case("arms") {
                    let after_name = sentence_mentions.iter().any(|m| {
                        m.end <= ts
                            && text[m.end..ts]
                                .split_whitespace()
                                .all(|w| w.ends_with("ly"))
                    });
                    let after_pronoun =
                        text[s..ts].split_whitespace().next_back().is_some_and(|w| {
                            one_of(w, &["it", "which", "who", "that", "also", "still"])
                                || w.ends_with("ly")
                        });
                    if !(after_name || after_pronoun) || text[s..ts].ends_with('-') {
                        continue;
                    }
                }
                for &t in &self.trigger_of[p] {
                    self.claims_for_trigger(
                        &ctx,
                        ts,
                        te,
                        &self.triggers[t],
                        &self.trigger_phrases.phrases[p],
                        &doc,
                        &mut claims,
                    );
                }
            }
            self.strength_claims(&ctx, &doc, &mut claims);
            self.branch_claims(&ctx, &doc, &mut claims);
            // What this sentence reports as a whole, for the next one to continue.
            let len = e - s;
            previous = atts
                .iter()
                .zip(&sources)
                .filter(|(a, src)| src.is_some() && (a.content.1 - a.content.0) * 2 >= len)
                .map(|(a, src)| {
                    (
                        src.clone().expect("filtered"),
                        attribution_modality(text, a),
                    )
                })
                .next()
                .or(ctx.inherited.clone());
        }
        dedup(&mut claims);
        claims
    }

    #[allow(clippy::too_many_arguments)]
    fn claims_for_trigger(
        &self,
        ctx: &Sentence<'_>,
        ts: usize,
        te: usize,
        trigger: &Trigger,
        phrase: &str,
        doc: &DocState,
        out: &mut Vec<Claim>,
    ) {
        let (cs, ce) = clause_bounds(ctx.text, ctx.s, ctx.e, ts, te);
        let text = ctx.text;
        // "added the group to its list of terrorist organisations" designates; "added that
        // the group ..." reports.
        if trigger.predicate == Predicate::Designates
            && matches!(phrase, "added" | "adds")
            && !text[te..ce].split_whitespace().take(12).any(|w| {
                let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                w.eq_ignore_ascii_case("list") || w.eq_ignore_ascii_case("blacklist")
            })
        {
            return;
        }
        // "TTP fighters in Kunar", "its fighters in": whose fighters is told right before
        // them; "foreign terrorist fighters in Afghanistan" names no group's.
        if phrase.starts_with("fighters ") {
            let before = text[cs..ts].trim_end();
            let owned = ctx.mentions.iter().any(|m| {
                m.entity_type == EntityType::ArmedGroup
                    && m.end <= ts
                    && text[m.end..ts]
                        .trim()
                        .trim_start_matches(['’', '\''])
                        .trim_start_matches('s')
                        .trim()
                        .is_empty()
            }) || before
                .split_whitespace()
                .next_back()
                .is_some_and(|w| one_of(w, &["its", "their", "group's", "group’s", "militants'"]));
            if !owned {
                return;
            }
        }
        // "claimed a drone attack on ...", "claims the twin bombings": a claim of an attack
        // named within a few words (not "claimed the lives of", "claims a role").
        if trigger.predicate == Predicate::Attacks
            && phrase.starts_with("claim")
            && [" a", " an", " the"].iter().any(|d| phrase.ends_with(d))
            && !text[te..ce]
                .split_whitespace()
                .take(4)
                .any(|w| one_of(letters(w), &CLAIMED_ATTACK_NOUNS))
        {
            return;
        }
        // Parentheticals (", which ...,", ", a group ...,", "(...)", "— ... —"): a trigger
        // inside one takes its arguments there and from the name it describes; a trigger
        // outside ignores the names inside them.
        let parens = ctx.parentheticals(cs, ce);
        let inside = parens.iter().copied().find(|&(a, b)| a <= ts && te <= b);
        let (ws, we) = inside.unwrap_or((cs, ce));
        let antecedent: Option<&MentionRef> = inside.and_then(|(a, _)| {
            // ", which heightens fears over its activities": "which" stands for the whole
            // clause before it, not for the name before the comma.
            let sentential = text[a..]
                .trim_start_matches([',', ' '])
                .strip_prefix("which ")
                .and_then(|r| r.split_whitespace().next())
                .is_some_and(|w| one_of(w, COMMENT_VERBS));
            if sentential {
                return None;
            }
            ctx.mentions
                .iter()
                .copied()
                .rfind(|m| m.end <= a && text[m.end..a].split_whitespace().count() <= 1)
        });
        let usable: Vec<&MentionRef> = ctx
            .mentions
            .iter()
            .copied()
            .filter(|m| m.start >= ws && m.end <= we)
            .filter(|m| {
                inside.is_some() || !parens.iter().any(|&(a, b)| m.start >= a && m.end <= b)
            })
            .filter(|m| {
                // Sources speak, they are not arguments, except the agent a passive trigger
                // names ("was claimed by the group") and the speaker of a trigger that is
                // itself speech ("the group claimed responsibility for the attack"). A source
                // is an argument of its sentence's main verb after its own relative clause
                // ("ISWAP, which claims to owe allegiance to IS, is present in Niger").
                (phrase.ends_with(" by") && m.start >= te)
                    || !ctx.atts.iter().any(|a| {
                        a.source.is_some_and(|(x, y)| {
                            m.start >= x
                                && m.end <= y
                                && !(ts >= a.content.1 && relative_clause(text, y, a.cue.0))
                        }) && !(a.cue.0 < te && ts < a.cue.1)
                    })
            })
            .collect();
        // A passive trigger ("was killed in a U.S. airstrike") swaps its sides.
        // "is based in", "are deployed in", "was relocated to": a participle with its place
        // in the phrase says where the subject is, it does not swap the sides.
        let locative = trigger.object_types.contains(&EntityType::Location)
            && [
                " in", " from", " to", " across", " inside", " out of", " on",
            ]
            .iter()
            .any(|p| phrase.ends_with(p));
        let passive = is_passive(text, ws, ts) && !phrase.ends_with(" by") && !locative;
        let (subject_before, object_before) = if passive {
            (!trigger.subject_before, !trigger.object_before)
        } else {
            (trigger.subject_before, trigger.object_before)
        };
        let pick = |before: bool, types: &[EntityType]| -> Vec<&MentionRef> {
            // A trigger ending in a preposition ("safe haven in") takes its object right after it.
            let prepositional = !before
                && phrase.rsplit(' ').next().is_some_and(|w| {
                    matches!(
                        w,
                        "in" | "from"
                            | "to"
                            | "over"
                            | "on"
                            | "into"
                            | "inside"
                            | "across"
                            | "against"
                            | "of"
                    )
                });
            pick_arguments(
                text,
                &usable,
                ts,
                te,
                before,
                types,
                &self.metonyms,
                if prepositional { 5 } else { 18 },
            )
        };
        let mut subjects = pick(subject_before, &trigger.subject_types);
        let allowed = |m: &MentionRef, types: &[EntityType]| types.contains(&m.entity_type);
        // "Somali forces, supported by US airstrikes, killed ...": a name inside a
        // parenthetical before the trigger is not its subject; the name before it is.
        // (Only where a comma stands between the subject and the trigger.)
        if subject_before && subjects.iter().any(|m| text[m.end..ts].contains(',')) {
            let parens = ctx.parentheticals(ctx.s, ctx.e);
            if let Some(&(pa, _)) = parens.iter().find(|&&(pa, pb)| {
                pb <= ts && subjects.iter().any(|m| m.start >= pa && m.end <= pb)
            }) {
                if let Some(m) = usable
                    .iter()
                    .copied()
                    .rfind(|m| m.end <= pa && allowed(m, &trigger.subject_types))
                    .filter(|m| text[m.end..pa].trim().is_empty())
                {
                    subjects = vec![m];
                }
            }
        }
        // "Tajik officials asked the Taliban to hand over members of X": the party asked has
        // not acted, so its claim is no more than speculative; a request to hand over or
        // extradite the group's members is the requester's own act against the group.
        let mut requested = false;
        if trigger.predicate == Predicate::ActsAgainst && subject_before {
            if let Some((rs, asked)) = subjects
                .first()
                .and_then(|m| request_before(text, ws, m.start, ts).map(|rs| (rs, *m)))
            {
                let requester = usable
                    .iter()
                    .copied()
                    .rfind(|m| m.end <= rs && allowed(m, &trigger.subject_types))
                    .filter(|m| m.id != asked.id);
                match requester {
                    Some(r) if HANDING_OVER.contains(&phrase) => subjects = vec![r],
                    _ => requested = true,
                }
            }
        }
        // "fought side by side with Y against Z", "alongside Y": Y is on the subject's side,
        // not an object; the object is the next name.
        let allies: Vec<&MentionRef> = if object_before {
            Vec::new()
        } else {
            usable
                .iter()
                .copied()
                .filter(|m| m.start >= te && comitative_before(text, te, m.start))
                .collect()
        };
        let mut objects = if allies.is_empty() {
            pick(object_before, &trigger.object_types)
        } else {
            let rest: Vec<&MentionRef> = usable
                .iter()
                .copied()
                .filter(|m| !allies.iter().any(|a| std::ptr::eq(*a, *m)))
                .collect();
            pick_arguments(
                text,
                &rest,
                ts,
                te,
                false,
                &trigger.object_types,
                &self.metonyms,
                18,
            )
        };
        // "X has pledged allegiance to Y and receives weapons from Z": who receives is the
        // clause's subject, the name that opens it, not the name nearest the verb.
        let receiving = |w: &str| {
            one_of(
                w,
                &[
                    "receives",
                    "received",
                    "receiving",
                    "obtains",
                    "obtained",
                    "gets",
                    "got",
                ],
            )
        };
        if object_before
            && (receiving(phrase) || text[ws..ts].split_whitespace().rev().take(3).any(receiving))
        {
            if let Some(first) = usable
                .iter()
                .copied()
                .find(|m| m.end <= ts && allowed(m, &trigger.object_types))
            {
                if text[ws..first.start].split_whitespace().count() <= 2 {
                    objects = vec![first];
                }
            }
        }
        // "seized it from the former government", "stole weapons from the army": whom a thing
        // was taken from is not what was attacked.
        // "help against the TLF": whom help is against is not whom it supports.
        let not_governed_by = match trigger.predicate {
            Predicate::Attacks => Some("from"),
            Predicate::Supports => Some("against"),
            _ => None,
        };
        if let (Some(forbidden), false) = (not_governed_by, object_before) {
            objects.retain(|m| {
                let governing = text[..m.start].split_whitespace().rev().take(3).find(|w| {
                    one_of(
                        w,
                        &["from", "into", "in", "on", "against", "at", "to", "across"],
                    )
                });
                !governing.is_some_and(|w| w.eq_ignore_ascii_case(forbidden))
            });
        }
        if !subjects.is_empty() {
            for a in &allies {
                if allowed(a, &trigger.subject_types) && !subjects.iter().any(|s| s.id == a.id) {
                    subjects.push(a);
                }
            }
        }
        // "a camp run by ISIS in Badakhshan": a nominal trigger whose owner follows it; the
        // place comes after the owner.
        if subjects.is_empty() && subject_before {
            if let Some(agent_at) = agent_after(text, te, we) {
                if let Some(owner) = usable
                    .iter()
                    .copied()
                    .find(|m| m.start >= agent_at && allowed(m, &trigger.subject_types))
                    .filter(|m| text[agent_at..m.start].split_whitespace().count() <= 2)
                {
                    subjects.push(owner);
                    objects.retain(|o| o.start >= owner.end);
                    if objects.is_empty() {
                        objects = pick_arguments(
                            text,
                            &usable,
                            owner.start,
                            owner.end,
                            false,
                            &trigger.object_types,
                            &self.metonyms,
                            5,
                        );
                    }
                }
            }
        }
        if let Some(ante) = antecedent {
            // "The Shabaab, which has been aligned with Al-Qaeda": the name described is the
            // missing argument; "Al Qaeda, a group the Taliban also back": its object.
            if subjects.is_empty() && allowed(ante, &trigger.subject_types) {
                subjects.push(ante);
            } else if objects.is_empty() && allowed(ante, &trigger.object_types) {
                objects.push(ante);
            }
        }
        // The group a pronoun stands for: the first group of the report that holds the
        // trigger (or of the sentence), outside attribution sources; else the last group
        // named before the clause.
        let referent = || -> Option<&MentionRef> {
            // "The suicide attack in Peshawar, which killed 20": a relative pronoun whose
            // antecedent is no group names no group.
            let window = &text[ctx.s..ts];
            let relative_of_no_group = window
                .rfind(", which ")
                .or_else(|| window.rfind(", whose "))
                .filter(|&p| text[ctx.s + p..ts].split_whitespace().count() <= 4)
                .is_some_and(|p| {
                    let at = ctx.s + p;
                    !ctx.mentions.iter().any(|m| {
                        m.entity_type == EntityType::ArmedGroup
                            && m.end <= at
                            && text[m.end..at].split_whitespace().count() <= 1
                    })
                });
            if relative_of_no_group {
                return None;
            }
            let content = ctx
                .atts
                .iter()
                .filter(|a| a.content.0 <= ts && ts < a.content.1)
                .map(|a| a.content)
                .min_by_key(|(a, b)| b - a)
                .or_else(|| {
                    // "X reported that the TTP draws backing ..., which heightens anxiety
                    // over its activities": "its" is of the report's subject.
                    ctx.atts
                        .iter()
                        .filter(|a| {
                            a.content.1 <= ts
                                && text[a.content.1..ts].trim_start().starts_with(", which ")
                        })
                        .map(|a| a.content)
                        .max_by_key(|c| c.1)
                });
            ctx.mentions
                .iter()
                .copied()
                .find(|m| {
                    m.entity_type == EntityType::ArmedGroup
                        && m.end <= ts
                        && content.is_none_or(|(a, b)| m.start >= a && m.end <= b)
                        && !ctx
                            .atts
                            .iter()
                            .any(|a| a.source.is_some_and(|(x, y)| m.start >= x && m.end <= y))
                })
                .or_else(|| {
                    // "a JNJ spokesman denied that the group ...": the nearest group before.
                    ctx.mentions
                        .iter()
                        .rev()
                        .find(|m| m.end <= ts && m.entity_type == EntityType::ArmedGroup)
                        .copied()
                })
                .or_else(|| {
                    // The topic carried over: the first group of the last sentence that named
                    // one ("The Shabaab ... held Mogadishu. The extremist group is ...").
                    let last = ctx
                        .all
                        .iter()
                        .rev()
                        .find(|m| m.end <= ws && m.entity_type == EntityType::ArmedGroup)?;
                    // Its sentence starts after the last stop or line break before it (a stop
                    // inside an abbreviation only starts the search later, at worst at `last`).
                    let start = text[..last.start]
                        .rfind(['.', '!', '?', '\n'])
                        .map_or(0, |p| p + 1);
                    ctx.all
                        .iter()
                        .find(|m| m.start >= start && m.entity_type == EntityType::ArmedGroup)
                })
        };
        // In reported speech a pronoun opening the content ("the Authority said it had
        // arrested ...", "rejected claims that it had failed to act") is the speaker: the
        // source of the innermost report around it that names one. `Some(None)`: the speaker
        // is no party this trigger allows ("the army said it killed 30 militants"), so there
        // is no subject rather than the group named before; `None`: no such report.
        let pronoun_speaker = || -> Option<Option<&MentionRef>> {
            let mut reports: Vec<&Attribution> = ctx
                .atts
                .iter()
                .filter(|a| a.content.0 <= ts && ts < a.content.1)
                .collect();
            reports.sort_by_key(|a| a.content.1 - a.content.0);
            let opens = reports.iter().position(|a| {
                text[a.content.0..ts]
                    .split_whitespace()
                    .take(5)
                    .any(|w| one_of(w, &["it", "they", "its", "their"]))
            })?;
            let (x, y) = reports[opens..].iter().find_map(|a| a.source)?;
            let speaker = ctx
                .mentions
                .iter()
                .copied()
                .rfind(|m| m.start >= x && m.end <= y && allowed(m, &trigger.subject_types));
            // "The group says it fights ...": a speaker named only as a group is the group
            // named before; "the camps" it closed are still a group's (a nominal trigger's
            // owner is not the pronoun).
            let group_speaker = text[x..y]
                .rsplit(' ')
                .next()
                .is_some_and(|w| one_of(w, &GROUP_NOUNS));
            if speaker.is_none()
                && (group_speaker || trigger.predicate == Predicate::MaintainsInfrastructure)
            {
                return None;
            }
            Some(speaker)
        };
        if subject_before && pronoun_subject(text, ws, ts) {
            // "when it held sway over ...": the pronoun, not the nearest name, is the subject.
            subjects.clear();
            match pronoun_speaker() {
                Some(Some(speaker)) => subjects.push(speaker),
                Some(None) => return,
                None => subjects.extend(referent()),
            }
        }
        // "Kenya denies sheltering al-Shabaab": a denied act told by a gerund is the denier's.
        if subject_before {
            let denied_act = ctx.atts.iter().find(|a| {
                a.class == CueClass::Denying
                    && a.content.0 <= ts
                    && ts < a.content.1
                    && text[a.content.0..ts].trim().is_empty()
            });
            if let Some((x, y)) = denied_act.and_then(|a| a.source) {
                if let Some(m) = ctx
                    .mentions
                    .iter()
                    .copied()
                    .rfind(|m| m.start >= x && m.end <= y && allowed(m, &trigger.subject_types))
                {
                    subjects.clear();
                    subjects.push(m);
                }
            }
        }
        // "Nigerian and Chadian troops attacked": "troops" ends a name here, no anaphor.
        let named_right_before = usable.iter().any(|m| {
            m.end <= ts
                && text[m.end..ts]
                    .split_whitespace()
                    .all(|w| one_of(w, VERB_AUXILIARIES))
        });
        if subject_before && !named_right_before && authority_anaphor(text, ws, ts) {
            // "the authorities shelter ...", "security forces arrested ...": the subject is
            // right there, and stands for the authority or state named last.
            subjects.clear();
            let state_or_authority = |m: &MentionRef| {
                matches!(m.entity_type, EntityType::Authority | EntityType::State)
                    && allowed(m, &trigger.subject_types)
            };
            // "Security forces killed 12 militants in Tajikistan": the country the clause
            // places it in, when none is named before in the sentence.
            let in_sentence_before = ctx
                .all
                .iter()
                .rev()
                .find(|m| m.end <= ts && state_or_authority(m))
                .filter(|m| !text[m.end..ts].contains(['.', '!', '?']));
            let placed_in = || {
                usable.iter().copied().find(|m| {
                    m.start >= te
                        && m.entity_type == EntityType::State
                        && allowed(m, &trigger.subject_types)
                        && word_before(text, te, m.start)
                            .is_some_and(|(a, b)| one_of(&text[a..b], &["in", "inside"]))
                })
            };
            if let Some(m) = in_sentence_before.or_else(placed_in).or_else(|| {
                ctx.all
                    .iter()
                    .rev()
                    .find(|m| m.end <= ts && state_or_authority(m))
            }) {
                subjects.push(m);
            }
        }
        if subjects.is_empty() && subject_before {
            if let Some(m) = (possessive_anaphor(text, ws, ts) || anaphor_before(text, ws, ts))
                .then(|| pronoun_speaker().unwrap_or_else(referent))
                .flatten()
                .or_else(|| {
                    // The clause's grammatical subject, however far: the name that opens it.
                    usable.first().copied().filter(|m| {
                        m.end <= ts
                            && text[ws..m.start].split_whitespace().count() <= 2
                            && allowed(m, &trigger.subject_types)
                    })
                })
            {
                subjects.push(m);
            }
        }
        if objects.is_empty()
            && !object_before
            && trigger.object_types.contains(&EntityType::ArmedGroup)
            && group_anaphor_after(text, te, we)
        {
            if let Some(m) = ctx
                .all
                .iter()
                .rev()
                .find(|m| m.end <= ts && m.entity_type == EntityType::ArmedGroup)
            {
                objects.push(m);
            }
        }
        if objects.is_empty()
            && !object_before
            && (trigger.object_types.contains(&EntityType::State)
                || trigger.object_types.contains(&EntityType::Authority))
        {
            // "fighting to topple the Western-backed government": the state or authority named
            // last (or the capital that stands for it).
            let after = text[te..we].to_lowercase();
            let near: Vec<&str> = after.split_whitespace().take(5).collect();
            if near.iter().any(|w| {
                matches!(
                    w.trim_matches(|c: char| !c.is_alphabetic()),
                    "government" | "authorities" | "regime"
                )
            }) {
                if let Some(m) = ctx.all.iter().rev().find(|m| {
                    m.end <= ts
                        && (matches!(m.entity_type, EntityType::State | EntityType::Authority)
                            || self.metonyms.contains_key(&m.id))
                }) {
                    objects.push(m);
                }
            }
        }
        if subject_before && unnamed_subject(text, ws, ts) {
            // "groups linked to the Taliban": the subject is an unnamed noun phrase.
            subjects.clear();
        }
        if objects.is_empty()
            && !object_before
            && trigger.object_types.contains(&EntityType::Location)
        {
            // "the facilities it had in the area", "its presence there": the last place named.
            let after = text[te..ce].to_lowercase();
            let near: Vec<&str> = after
                .split_whitespace()
                .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
                .take(6)
                .collect();
            // "in the area", "the province": a place within a country, the last one named;
            // "there": the last place of any kind.
            let within = near.windows(2).any(|w| {
                matches!(
                    (w[0], w[1]),
                    ("the", "area") | ("the", "region") | ("the", "province") | ("the", "district")
                )
            });
            let there = near.first() == Some(&"there")
                || text[ws..ts].to_lowercase().split_whitespace().next_back() == Some("there");
            let last_of = |types: &[EntityType]| {
                ctx.all
                    .iter()
                    .rev()
                    .find(|m| m.end <= ts && types.contains(&m.entity_type))
            };
            let place = if within {
                last_of(&[EntityType::Location])
                    .or_else(|| last_of(&[EntityType::Location, EntityType::State]))
            } else if there {
                last_of(&[EntityType::Location, EntityType::State])
            } else {
                None
            };
            objects.extend(place);
        }
        if objects.is_empty() && object_before {
            if let Some(m) = usable.first().copied().filter(|m| {
                m.end <= ts
                    && text[ws..m.start].split_whitespace().count() <= 2
                    && allowed(m, &trigger.object_types)
                    && !subjects.iter().any(|s| s.id == m.id)
            }) {
                objects.push(m);
            }
        }
        // An attack whose place is told outside its own clause. `place_in(lo, hi, last)`: the
        // first (or last) place named in `[lo, hi)` of the document.
        if objects.is_empty() && trigger.predicate == Predicate::Attacks {
            let place_in = |lo: usize, hi: usize, last: bool| {
                let place = |m: &&MentionRef| {
                    m.start >= lo
                        && m.end <= hi
                        && m.entity_type == EntityType::Location
                        && allowed(m, &trigger.object_types)
                };
                if last {
                    ctx.all.iter().rev().find(place)
                } else {
                    ctx.all.iter().find(place)
                }
            };
            // "The bombing, claimed by ISIS-K, killed 13 people at Kabul airport": a claim of
            // an attack in a parenthetical or a passive, its place in the rest of the sentence.
            let rest_after = match inside {
                Some((_, pb)) if object_before => Some(pb),
                None if object_before && phrase.ends_with(" by") => {
                    subjects.iter().map(|m| m.end).max()
                }
                _ => None,
            };
            // "X claimed the bombing, which killed 20 people at a mosque in Peshawar": where the
            // attack was is told in the relative clause right after it.
            let relative = parens.iter().copied().find(|&(pa, _)| {
                inside.is_none()
                    && pa >= te
                    && text[te..pa].split_whitespace().count() <= 2
                    && text[pa..]
                        .trim_start_matches([',', ' '])
                        .starts_with("which ")
            });
            // "A bomb exploded at a police station in Bannu. The TTP claimed responsibility.":
            // a claim of an attack told just before names no place of its own; the attack's is
            // the last place named before it, in its sentence or the one before, where an
            // attack was told and not already given to this group ("... came under attack by
            // the BLA. The BLA took responsibility for the assault" is one attack, told once).
            let owning_up =
                phrase.contains("responsibility") || phrase.starts_with("carried out the");
            let told_before = || {
                if !owning_up {
                    return None;
                }
                let from = text[..ctx.s]
                    .trim_end()
                    .trim_end_matches(['.', '!', '?', '"', '”', '’', '\''])
                    .rfind(['.', '!', '?'])
                    .map_or(0, |p| p + 1);
                let told = text[from..ts].to_lowercase();
                let an_attack = [
                    "attack", "bomb", "explo", "blast", "ambush", "raid", "assault", "killed",
                    "killing", "shooting", "strike", "gunmen", "stormed",
                ]
                .iter()
                .any(|w| told.contains(w));
                let named_there = ctx.all.iter().any(|m| {
                    m.start >= from && m.end <= ctx.s && subjects.iter().any(|s| s.id == m.id)
                });
                (an_attack && !named_there).then_some(from)
            };
            let found = rest_after
                .and_then(|after| place_in(after, ctx.e, false))
                .or_else(|| told_before().and_then(|from| place_in(from, ts, true)))
                .or_else(|| relative.and_then(|(pa, pb)| place_in(pa, pb, false)));
            objects.extend(found);
        }
        let mut pairs: Vec<(&MentionRef, Option<&MentionRef>)> = Vec::new();
        if trigger.symmetric {
            let reciprocal = {
                let window = text[ws..we].to_lowercase();
                [
                    "each other",
                    "one another",
                    "the two groups",
                    "both groups",
                    "between",
                ]
                .iter()
                .any(|w| window.contains(w))
            };
            if subjects.is_empty() && objects.len() >= 2 {
                subjects = vec![objects.remove(0)];
            }
            if subjects.is_empty() && objects.is_empty() && reciprocal {
                // "the two groups carried out joint operations": the last two groups named.
                let mut last_two: Vec<&MentionRef> = Vec::new();
                for m in ctx
                    .all
                    .iter()
                    .rev()
                    .filter(|m| m.end <= ts && m.entity_type == EntityType::ArmedGroup)
                {
                    if !last_two.iter().any(|l| l.id == m.id) {
                        last_two.push(m);
                    }
                    if last_two.len() == 2 {
                        break;
                    }
                }
                if last_two.len() == 2 {
                    subjects.push(last_two[1]);
                    objects.push(last_two[0]);
                }
            }
            if subjects.len() >= 2 && (objects.is_empty() || reciprocal) {
                // "A and B clashed", "the two groups now clashing"
                for i in 0..subjects.len() {
                    for j in i + 1..subjects.len() {
                        pairs.push((subjects[i], Some(subjects[j])));
                    }
                }
            } else {
                for a in &subjects {
                    for b in &objects {
                        pairs.push((a, Some(b)));
                    }
                }
            }
        } else if trigger.object_optional && objects.is_empty() {
            pairs.extend(subjects.iter().map(|s| (*s, None)));
        } else {
            for a in &subjects {
                for b in &objects {
                    pairs.push((a, Some(b)));
                }
            }
        }
        if pairs.is_empty() {
            return;
        }
        let negated = self.negated(ctx.text, cs, ts);
        let mut qualifiers = Qualifiers::default();
        match trigger.predicate {
            Predicate::Supports => {
                let mut kinds: Vec<String> = Vec::new();
                for (ks, ke, i) in self.support.find(ctx.text, cs, ce) {
                    let v = &self.support_values[i];
                    // "trained TTP fighters", "arms to Houthi fighters": the fighters are whom
                    // the support goes to, not a kind of it.
                    let recipient = v == "fighters"
                        && objects
                            .iter()
                            .any(|o| o.end <= ks && ctx.text[o.end..ks].trim().is_empty());
                    // "has 20,000 fighters": a count; "training camps": a place.
                    let counted = v == "fighters" && {
                        let before = ctx.text[cs..ks].trim_end();
                        let before = before.strip_suffix(" of").unwrap_or(before);
                        before.ends_with(|c: char| c.is_ascii_digit())
                            || before.split_whitespace().next_back().is_some_and(|w| {
                                one_of(
                                    w,
                                    &[
                                        "hundred",
                                        "hundreds",
                                        "thousand",
                                        "thousands",
                                        "dozen",
                                        "dozens",
                                    ],
                                )
                            })
                    };
                    let place = ctx.text[ke..ce].split_whitespace().next().is_some_and(|w| {
                        one_of(
                            letters(w),
                            &[
                                "camp",
                                "camps",
                                "centre",
                                "centres",
                                "center",
                                "centers",
                                "facility",
                                "facilities",
                                "ground",
                                "grounds",
                            ],
                        )
                    });
                    if recipient || counted || place {
                        continue;
                    }
                    if !kinds.contains(v) {
                        kinds.push(v.clone());
                    }
                }
                if kinds.is_empty() {
                    if trigger.needs_support_kind {
                        return;
                    }
                    kinds.push("unspecified".into());
                }
                qualifiers.support_type = kinds;
            }
            Predicate::MaintainsInfrastructure => {
                // "an attack on a military base", "a camp for displaced people": the state's
                // or the displaced people's, not a group's; "attacked a base in Lamu": the
                // attacked party's.
                let owner_before = ctx.text[cs..ts].split_whitespace().rev().take(2).any(|w| {
                    one_of(letters(w), &NOT_GROUP_INFRASTRUCTURE) || one_of(letters(w), &ATTACKING)
                });
                let for_displaced = ctx.text[te..ce]
                    .split_whitespace()
                    .take(3)
                    .any(|w| one_of(letters(w), &["displaced", "refugees", "IDPs", "civilians"]));
                if owner_before || for_displaced {
                    return;
                }
                qualifiers.kind = Some(phrase.to_string())
            }
            Predicate::Attacks => qualifiers.killed = self.killed.count(&ctx.text[cs..ce]),
            _ => {}
        }
        let claimed_by_actor = trigger.predicate == Predicate::Attacks
            && (phrase.contains("claimed")
                || phrase.contains("credit")
                || phrase.contains("responsibility"));
        // "No group has claimed responsibility", "no one was behind": nobody to name.
        if no_one_before(text, ws, ts) {
            return;
        }
        for (subject, object) in pairs {
            let object_key = object.map(|o| self.canonical_as(o, &trigger.object_types));
            let (sid, sname) = self.canonical_as(subject, &trigger.subject_types);
            if object_key.as_ref().is_some_and(|(id, _)| *id == sid) {
                continue;
            }
            let base = Claim {
                subject: EntityRef {
                    id: EntityId(sid),
                    name: sname,
                },
                predicate: trigger.predicate,
                object: object_key.map(|(id, name)| EntityRef {
                    id: EntityId(id),
                    name,
                }),
                qualifiers: qualifiers.clone(),
                source: Source {
                    entity: None,
                    name: doc.publisher.clone(),
                },
                via: Vec::new(),
                modality: Modality::Asserted,
                negated,
                evidence: Span::new(ctx.s, ctx.e),
            };
            if claimed_by_actor {
                // "X claimed responsibility for ...": the group itself is the source, reached
                // through whoever reports its claim ("..., according to the Wire").
                let src = Source {
                    entity: Some(base.subject.id.clone()),
                    name: base.subject.name.clone(),
                };
                let mut via: Vec<Source> = ctx
                    .reporting(ts)
                    .into_iter()
                    .filter(|&i| !(ctx.atts[i].cue.0 < te && ts < ctx.atts[i].cue.1))
                    .filter_map(|i| ctx.sources[i].clone())
                    .filter(|o| o.name != src.name)
                    .collect();
                via.push(src.clone());
                out.push(Claim {
                    source: src,
                    via,
                    modality: Modality::Alleged,
                    ..base
                });
                continue;
            }
            let from = out.len();
            self.attribute(ctx, ts, cs, ce, base, out);
            if requested {
                for c in &mut out[from..] {
                    if c.modality != Modality::Denied {
                        c.modality = Modality::Speculative;
                    }
                }
            }
        }
    }

    /// Sets source, chain and modality from the attributions around the trigger at `ts`, and
    /// adds the denied claim for each denial around it.
    fn attribute(
        &self,
        ctx: &Sentence<'_>,
        ts: usize,
        cs: usize,
        ce: usize,
        base: Claim,
        out: &mut Vec<Claim>,
    ) {
        let mut chain = ctx.reporting(ts);
        // "Citing the Bureau, the Panel warned that ...": the cited party is an inner link of
        // the attribution whose cue its content holds, not an outer one.
        let citing = |j: usize| {
            ctx.atts[j].class == CueClass::SourceAfter && {
                let cue = ctx.text[ctx.atts[j].cue.0..ctx.atts[j].cue.1].to_lowercase();
                cue.starts_with("citing") || cue.starts_with("quoting")
            }
        };
        chain.retain(|&j| !citing(j));
        for j in (0..ctx.atts.len()).filter(|&j| citing(j) && ctx.sources[j].is_some()) {
            let (a, b) = ctx.atts[j].content;
            let cue = ctx.atts[j].cue;
            // "the Panel, citing X, indicates": placed below, after the source it follows.
            let follows_a_source = chain.iter().any(|&i| {
                ctx.atts[i]
                    .source
                    .is_some_and(|(_, se)| se <= cue.0 && cue.1 <= ctx.atts[i].cue.0)
            });
            if follows_a_source {
                continue;
            }
            if let Some(k) = chain
                .iter()
                .position(|&i| a <= ctx.atts[i].cue.0 && ctx.atts[i].cue.1 <= b)
            {
                chain.insert(k + 1, j);
            }
        }
        // "the Panel, citing assessments by the Bureau, indicates that ...": the cited party
        // is the next link inside the Panel's.
        let mut k = 0;
        while k < chain.len() {
            let outer = &ctx.atts[chain[k]];
            if let Some((_, src_end)) = outer.source {
                if let Some(j) = (0..ctx.atts.len()).find(|&j| {
                    ctx.atts[j].class == CueClass::SourceAfter
                        && ctx.atts[j].cue.0 >= src_end
                        && ctx.atts[j].cue.1 <= outer.cue.0
                        && ctx.sources[j].is_some()
                        && !chain.contains(&j)
                }) {
                    chain.insert(k + 1, j);
                }
            }
            k += 1;
        }
        // Hedges in the trigger's own clause: "may become a threat", "was almost certainly
        // bigger", but not "..., whose fighters are estimated" around another trigger.
        let parens = ctx.parentheticals(cs, ce);
        let own = parens.iter().copied().find(|&(a, b)| a <= ts && ts < b);
        // A hedge before the trigger bears on it only from close by ("may attack", "is believed
        // to keep"): "the government it wants in Tajikistan, ... having fought" is not hedged.
        let near = ctx.text[cs..ts]
            .char_indices()
            .rev()
            .filter(|(_, c)| c.is_whitespace())
            .nth(8)
            .map_or(cs, |(i, _)| cs + i);
        let hedge = self.hedge(ctx.text, cs, ce, |h| {
            (h >= near || h >= ts)
                && match own {
                    Some((a, b)) => h >= a && h < b,
                    None => !parens.iter().any(|&(a, b)| h >= a && h < b),
                }
        });
        let with_hedge = |m: Modality| match (m, hedge) {
            (Modality::Denied, _) => Modality::Denied,
            (_, Some(Modality::Speculative)) => Modality::Speculative,
            (Modality::Asserted | Modality::Reported, Some(h)) => h,
            (m, _) => m,
        };
        // The publisher speaking ("The Courier reported that ...") is no link of the chain.
        chain.retain(|&i| {
            ctx.sources[i]
                .as_ref()
                .is_some_and(|src| !src.name.eq_ignore_ascii_case(&base.source.name))
        });
        let sources: Vec<Source> = chain
            .iter()
            .filter_map(|&i| ctx.sources[i].clone())
            .collect();
        // The links of the chain up to `upto`, without those beside it rather than around it
        // ("X accused Y of Z, a charge W denied": both hold Z; W's denial does not pass
        // through X). "the report noted, adding that ...": one party twice in a row is one
        // link.
        let via = |upto: usize| {
            let content = ctx.atts[chain[upto]].content;
            let mut v: Vec<Source> = chain[..upto]
                .iter()
                .zip(&sources)
                .filter(|(&i, _)| ctx.atts[i].content != content)
                .map(|(_, s)| s.clone())
                .collect();
            v.push(sources[upto].clone());
            v.dedup_by(|a, b| a.name == b.name && a.entity == b.entity);
            v
        };
        // The claim as its innermost non-denying source holds it.
        let inner: Vec<usize> = chain
            .iter()
            .copied()
            .filter(|&i| ctx.atts[i].class != CueClass::Denying)
            .collect();
        match inner.last() {
            Some(&i) => {
                let upto = chain.iter().position(|&c| c == i).expect("in chain");
                let source = ctx.sources[i].clone().expect("filtered");
                // "JNIM said it was behind the attack": a group telling of its own attack
                // claims it.
                let own_attack = base.predicate == Predicate::Attacks
                    && source.entity.as_ref() == Some(&base.subject.id);
                let modality = match with_hedge(attribution_modality(ctx.text, &ctx.atts[i])) {
                    Modality::Reported if own_attack => Modality::Alleged,
                    m => m,
                };
                // "The Taliban said they have no links to al-Qaida": a party saying it does
                // not do a thing denies doing it (the claim is the denied proposition).
                let own_denial = base.negated
                    && matches!(modality, Modality::Reported | Modality::Alleged)
                    && source.entity.as_ref() == Some(&base.subject.id);
                let (modality, negated) = if own_denial {
                    (Modality::Denied, false)
                } else {
                    (modality, base.negated)
                };
                out.push(Claim {
                    source,
                    via: via(upto),
                    modality,
                    negated,
                    ..base.clone()
                });
            }
            None if chain.is_empty() && ctx.inherited.is_some() => {
                let (src, m) = ctx.inherited.clone().expect("checked");
                out.push(Claim {
                    source: src.clone(),
                    via: vec![src],
                    modality: with_hedge(m),
                    ..base.clone()
                });
            }
            None if chain.is_empty() => out.push(Claim {
                modality: with_hedge(Modality::Asserted),
                ..base.clone()
            }),
            None => {}
        }
        // And as each denying source denies it.
        for (k, &i) in chain.iter().enumerate() {
            if ctx.atts[i].class == CueClass::Denying {
                out.push(Claim {
                    source: ctx.sources[i].clone().expect("filtered"),
                    via: via(k),
                    modality: Modality::Denied,
                    ..base.clone()
                });
            }
        }
    }

    /// `has_strength` claims from the counts of a sentence.
    fn strength_claims(&self, ctx: &Sentence<'_>, doc: &DocState, out: &mut Vec<Claim>) {
        for count in self.counts.find(ctx.text, ctx.s, ctx.e) {
            // "the strength of the TTP at 3,000", "3,000 TTP fighters": a group inside the
            // expression is the one counted; else the last one named before it.
            let group =
                ctx.mentions
                    .iter()
                    .find(|m| {
                        m.entity_type == EntityType::ArmedGroup
                            && m.start >= count.span.0
                            && m.end <= count.span.1
                    })
                    .or_else(|| {
                        ctx.mentions.iter().rfind(|m| {
                            m.entity_type == EntityType::ArmedGroup && m.end <= count.span.0
                        })
                    })
                    .copied()
                    .or_else(|| {
                        // "the group numbers 5,000 fighters, while ISSP ...": an anaphor before the
                        // count is the group named before the sentence, not the name after it.
                        anaphor_before(ctx.text, ctx.s, count.span.0)
                            .then(|| {
                                ctx.all.iter().rev().find(|m| {
                                    m.end <= ctx.s && m.entity_type == EntityType::ArmedGroup
                                })
                            })
                            .flatten()
                    })
                    .or_else(|| {
                        ctx.mentions.iter().copied().find(|m| {
                            m.entity_type == EntityType::ArmedGroup && m.start >= count.span.1
                        })
                    })
                    .or_else(|| {
                        ctx.all
                            .iter()
                            .rev()
                            .find(|m| m.end <= ctx.s && m.entity_type == EntityType::ArmedGroup)
                    });
            let Some(group) = group else { continue };
            let (id, name) = self.canonical(group);
            self.attribute_untriggered(
                ctx,
                doc,
                count.span,
                (
                    EntityRef {
                        id: EntityId(id),
                        name,
                    },
                    Predicate::HasStrength,
                    None,
                ),
                Qualifiers {
                    low: count.low,
                    high: count.high,
                    unit: Some(count.unit.to_string()),
                    ..Default::default()
                },
                out,
            );
        }
    }

    /// A group named as another's branch ("claimed by the West African branch of Islamic
    /// State") is tied to it: the name tells the tie as the sentence's voice holds it.
    fn branch_claims(&self, ctx: &Sentence<'_>, doc: &DocState, out: &mut Vec<Claim>) {
        if self.alias_parents.is_empty() {
            return;
        }
        for m in ctx.mentions.iter().copied() {
            let Some((_, parent)) = self.alias_parents.iter().find(|(g, _)| *g == m.id) else {
                continue;
            };
            // Most mentions are a plain name ("ISWAP"): only one of several words can call it
            // a branch.
            let surface = &ctx.text[m.start..m.end];
            if !surface.contains(' ') || crate::resolver::branch_parent(surface).is_none() {
                continue;
            }
            self.attribute_untriggered(
                ctx,
                doc,
                (m.start, m.end),
                (
                    EntityRef {
                        id: EntityId(m.id.clone()),
                        name: m.name.clone(),
                    },
                    Predicate::CooperatesWith,
                    Some(EntityRef {
                        id: EntityId(parent.clone()),
                        name: self.name_of(parent),
                    }),
                ),
                Qualifiers::default(),
                out,
            );
        }
    }

    /// The canonical name of an entity the gazetteer knows, else its id.
    fn name_of(&self, id: &str) -> String {
        self.names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    /// A claim in the publisher's voice about `[ts, te)`, given the attribution chain of its
    /// clause: what a count or a name tells without a trigger.
    fn attribute_untriggered(
        &self,
        ctx: &Sentence<'_>,
        doc: &DocState,
        (ts, te): (usize, usize),
        (subject, predicate, object): (EntityRef, Predicate, Option<EntityRef>),
        qualifiers: Qualifiers,
        out: &mut Vec<Claim>,
    ) {
        let base = Claim {
            subject,
            predicate,
            object,
            qualifiers,
            source: Source {
                entity: None,
                name: doc.publisher.clone(),
            },
            via: Vec::new(),
            modality: Modality::Asserted,
            negated: false,
            evidence: Span::new(ctx.s, ctx.e),
        };
        let (cs, ce) = clause_bounds(ctx.text, ctx.s, ctx.e, ts, te);
        self.attribute(ctx, ts, cs, ce, base, out);
    }

    /// The entity a mention stands for, after metonymy (Kabul speaking is the Taliban).
    fn canonical(&self, m: &MentionRef) -> (String, String) {
        match self.metonyms.get(&m.id) {
            Some(id) => (id.clone(), self.name_of(id)),
            None => (m.id.clone(), m.name.clone()),
        }
    }

    /// As [`Self::canonical`] for an actor slot; a place in a place slot stays a place.
    fn canonical_as(&self, m: &MentionRef, types: &[EntityType]) -> (String, String) {
        if m.entity_type == EntityType::Location && types.contains(&EntityType::Location) {
            (m.id.clone(), m.name.clone())
        } else {
            self.canonical(m)
        }
    }

    fn resolve_source(
        &self,
        text: &str,
        a: &Attribution,
        sentence_mentions: &[&MentionRef],
        all: &[MentionRef],
        doc: &mut DocState,
    ) -> Option<Source> {
        let (x, y) = a.source?;
        let inside: Vec<&&MentionRef> = sentence_mentions
            .iter()
            .filter(|m| m.start >= x && m.end <= y)
            .filter(|m| m.entity_type != EntityType::Location || self.metonyms.contains_key(&m.id))
            .collect();
        // "an assessment by the Panel seen by the Wire": the party whose words were seen,
        // reported or obtained is the origin, not the one that saw them.
        if inside.len() >= 2 {
            let between = text[inside[0].end..inside[inside.len() - 1].start].to_lowercase();
            let carriers = [
                "seen by",
                "obtained by",
                "reviewed by",
                "reported by",
                "quoted by",
                "cited by",
                "published by",
            ];
            if let Some(cut) = carriers.iter().filter_map(|p| between.find(p)).min() {
                // The last party named before the carrier phrase.
                let limit = inside[0].end + cut;
                if let Some(m) = inside.iter().rev().find(|m| m.end <= limit) {
                    let (id, name) = self.canonical(m);
                    let src = Source {
                        entity: Some(EntityId(id)),
                        name,
                    };
                    doc.remember(&src, all);
                    return Some(src);
                }
            }
        }
        // "Aaron Zelin of the Washington Institute": the person named before the institution
        // speaks (as "said Colin Clarke, director of ... at the Soufan Group" does).
        if let Some(first) = inside.first() {
            if let Some(person) = person_before_affiliation(&text[x..first.start]) {
                let src = Source {
                    entity: None,
                    name: person.to_string(),
                };
                doc.last_person = Some(src.clone());
                doc.remember(&src, all);
                return Some(src);
            }
        }
        // "UN member states in the region": the generic head wins over the modifier.
        if let Some(m) = inside.last() {
            let after = text[m.end..y].to_lowercase();
            if let Some(g) = self.generic_sources.iter().find(|g| {
                let head = after.split_whitespace().next();
                // "a JNJ spokesman" speaks for JNJ, "Nigerian military sources" for Nigeria;
                // "UN member states" are not the UN.
                !head.is_some_and(|w| {
                    matches!(
                        w.trim_matches(|c: char| !c.is_alphabetic()),
                        "spokesman"
                            | "spokesperson"
                            | "spokeswoman"
                            | "official"
                            | "officials"
                            | "leader"
                            | "leaders"
                            | "commander"
                            | "commanders"
                            | "representative"
                            | "envoy"
                            | "minister"
                            | "ministry"
                            | "statement"
                            | "sources"
                            | "source"
                    )
                }) && head.is_some_and(|w| g.split_whitespace().next() == Some(w))
            }) {
                // "UN experts", "UN sanctions monitors": the UN body that reports on the group.
                if matches!(
                    g.as_str(),
                    "experts" | "expert" | "monitors" | "investigators"
                ) {
                    if let Some(src) = self.reporting_body(&m.id, sentence_mentions, all) {
                        doc.remember(&src, all);
                        return Some(src);
                    }
                }
                return Some(Source {
                    entity: None,
                    name: g.clone(),
                });
            }
        }
        // An agency before the cue in the same sentence is the likelier speaker than a name
        // the source phrase caught after an "and" ("the monitoring team for ISIL, Al Qaeda
        // and the Taliban has disclosed").
        let sentence_start = sentence_mentions.first().map(|m| m.start).unwrap_or(x);
        let agency_before = sentence_mentions.iter().copied().filter(|m| {
            m.entity_type == EntityType::Agency
                && m.end <= x
                && m.start >= sentence_start
                && !text[m.end..x].contains(['.', ';', '“', '"'])
                && text[m.end..x].matches(',').count() <= 2
                && !text[m.end..x]
                    .to_lowercase()
                    .split_whitespace()
                    .any(|w| matches!(w, "that" | "said" | "says" | "which" | "who"))
        });
        let agency_before: Vec<&MentionRef> = agency_before.collect();
        if let (Some(first), Some(m)) = (agency_before.first(), inside.last()) {
            if m.entity_type != EntityType::Agency
                && text[x..y].split_whitespace().count() <= 3
                && text[..x].trim_end().to_lowercase().ends_with("and")
            {
                let chosen = agency_before
                    .windows(2)
                    .find(|w| {
                        text[w[0].end..w[1].start].trim() == "’s"
                            || text[w[0].end..w[1].start].trim() == "'s"
                    })
                    .map(|w| w[1])
                    .unwrap_or(*first);
                let src = Source {
                    entity: Some(EntityId(chosen.id.clone())),
                    name: chosen.name.clone(),
                };
                doc.remember(&src, all);
                return Some(src);
            }
        }
        if let Some(m) = inside.last() {
            let (id, name) = self.canonical(m);
            // "a UN report", "the Security Council's latest report": the UN body that
            // reports on the group.
            let report = self.reporting_bodies.contains_key(&id) && {
                let after = text[m.end..y].to_lowercase();
                [
                    "report",
                    "experts",
                    "monitors",
                    "investigators",
                    "assessment",
                    "findings",
                ]
                .iter()
                .any(|w| after.contains(w))
            };
            if let Some(src) = report
                .then(|| self.reporting_body(&id, sentence_mentions, all))
                .flatten()
            {
                doc.remember(&src, all);
                return Some(src);
            }
            let src = Source {
                entity: Some(EntityId(id)),
                name,
            };
            if !matches!(m.entity_type, EntityType::Person) {
                doc.remember(&src, all);
            }
            return Some(src);
        }
        let phrase = text[x..y]
            .trim()
            .trim_end_matches(['’', '\''])
            .trim_end_matches("’s")
            .trim();
        let lower = phrase.to_lowercase();
        // One article off ("the", "a", "an"): `strip_prefix` compares in place where
        // `trim_start_matches` would build a substring searcher for each.
        let bare = ["the ", "a ", "an "]
            .iter()
            .find_map(|a| lower.strip_prefix(a))
            .unwrap_or(&lower)
            .to_string();
        // "the group said": the armed group named last before the source.
        // "the paramilitary group rejected", "the jihadist group said" too.
        let group_noun_phrase = (bare.ends_with(" group") || bare.ends_with(" outfit"))
            && bare.split_whitespace().count() <= 3;
        if group_noun_phrase || GROUP_NOUNS.contains(&bare.as_str()) {
            if let Some(m) = all
                .iter()
                .rev()
                .find(|m| m.end <= x && m.entity_type == EntityType::ArmedGroup)
            {
                return Some(Source {
                    entity: Some(EntityId(m.id.clone())),
                    name: m.name.clone(),
                });
            }
        }
        // "One Member State reported ..., while another estimated ...": another of the kind
        // named last.
        if matches!(
            bare.as_str(),
            "another" | "a second" | "others" | "other" | "a third"
        ) {
            if let Some(last) = doc.last_source.as_ref().filter(|s| s.entity.is_none()) {
                return Some(last.clone());
            }
        }
        // "We", "our assessment", "this report": the publisher itself.
        if matches!(
            bare.as_str(),
            "we" | "our" | "us" | "i" | "this report" | "this study" | "this newspaper"
        ) || bare.starts_with("our ")
        {
            doc.self_voice = true;
            return Some(Source {
                entity: None,
                name: doc.publisher.clone(),
            });
        }
        // "the Bureau", "the ministry", "the panel's report": the party named before whose
        // name holds that noun.
        let owner = lower.strip_prefix("the ").map(|n| {
            [
                "’s report",
                "'s report",
                "’s assessment",
                "'s assessment",
                "’s findings",
                "'s findings",
            ]
            .iter()
            .find_map(|suffix| n.strip_suffix(suffix))
            .unwrap_or(n)
        });
        if let Some(noun) = owner.filter(|n| !n.contains(' ') && n.len() > 2) {
            if let Some(m) = all.iter().rev().find(|m| {
                m.end <= x
                    && matches!(
                        m.entity_type,
                        EntityType::Agency
                            | EntityType::State
                            | EntityType::Authority
                            | EntityType::Publication
                    )
                    && m.name
                        .split_whitespace()
                        .any(|w| w.eq_ignore_ascii_case(noun))
            }) {
                let src = Source {
                    entity: Some(EntityId(m.id.clone())),
                    name: m.name.clone(),
                };
                doc.remember(&src, all);
                return Some(src);
            }
        }
        let is_back = self
            .back_references
            .iter()
            .any(|b| lower == *b || ends_with_word(&lower, b) || bare == *b)
            || (lower.starts_with("the ")
                && lower.split_whitespace().count() <= 3
                && lower.contains("report"));
        if matches!(bare.as_str(), "he" | "she") {
            // A pronoun for a person: the last person the document quoted.
            if let Some(p) = &doc.last_person {
                return Some(p.clone());
            }
        }
        // "the panel said" with no panel named before: not the last source (a state, say),
        // but the panel as written.
        let institution = matches!(
            bare.as_str(),
            "panel"
                | "team"
                | "agency"
                | "ministry"
                | "bureau"
                | "council"
                | "committee"
                | "commission"
                | "monitors"
                | "monitoring team"
        );
        if is_back && institution {
            return Some(Source {
                entity: None,
                name: bare,
            });
        }
        if is_back {
            // "the report", "the study": a document, written by no armed group; "it", "the
            // group": whoever spoke last.
            let document = matches!(
                bare.as_str(),
                "report"
                    | "study"
                    | "assessment"
                    | "analysis"
                    | "paper"
                    | "review"
                    | "survey"
                    | "document"
                    | "publication"
                    | "investigation"
                    | "findings"
            ) || lower.contains("report");
            let last = if document {
                doc.last_author.as_ref()
            } else {
                doc.last_source.as_ref()
            };
            if let Some(s) = last.or(doc.headline.as_ref()) {
                return Some(s.clone());
            }
            // The first agency the document names, or the publisher.
            if let Some(m) = all.iter().find(|m| m.entity_type == EntityType::Agency) {
                let src = Source {
                    entity: Some(EntityId(m.id.clone())),
                    name: m.name.clone(),
                };
                doc.remember(&src, all);
                return Some(src);
            }
            // A publisher that has spoken of itself ("our assessment") and then says "the
            // report argues" means its own report.
            let pronoun = matches!(bare.as_str(), "it" | "they" | "he" | "she");
            if doc.self_voice && !pronoun {
                return Some(Source {
                    entity: None,
                    name: doc.publisher.clone(),
                });
            }
            // Unresolved ("it noted" with no source before it): kept as written, so the claim
            // still reads as reported, not as the publisher's own. "The report" unresolved is
            // still what a later "it" refers to.
            let src = Source {
                entity: None,
                name: bare,
            };
            if !pronoun {
                doc.remember(&src, all);
            }
            return Some(src);
        }
        if let Some(g) = self.generic_sources.iter().find(|g| {
            lower == **g
                || ends_with_word(&lower, g)
                || bare
                    .strip_prefix(g.as_str())
                    .is_some_and(|rest| rest.starts_with(" of ") || rest.starts_with(" in "))
        }) {
            // As the text presents it: "analysts say" are analysts, "Member States" (as the
            // gold records them) are not one member state. What "another" or "it" may refer
            // back to, though no "report" ("the report" is a document's, not analysts').
            let src = Source {
                entity: None,
                name: g.to_string(),
            };
            doc.last_source = Some(src.clone());
            return Some(src);
        }
        // A person or party no gazetteer knows: its trailing capitalised words.
        let words: Vec<&str> = phrase.split_whitespace().collect();
        let tail: Vec<&str> = words
            .iter()
            .rev()
            .take_while(|w| w.chars().next().is_some_and(char::is_uppercase))
            .copied()
            .collect();
        if tail.is_empty() {
            return Some(Source {
                entity: None,
                name: bare,
            });
        }
        let name: Vec<&str> = tail.into_iter().rev().collect();
        let person = Source {
            entity: None,
            name: name.join(" "),
        };
        doc.last_person = Some(person.clone());
        Some(Source {
            entity: None,
            name: name.join(" "),
        })
    }

    fn hedge(
        &self,
        text: &str,
        cs: usize,
        ce: usize,
        in_scope: impl Fn(usize) -> bool,
    ) -> Option<Modality> {
        let found: Vec<Modality> = self
            .hedges
            .find(text, cs, ce)
            .into_iter()
            .filter(|&(h, _, _)| in_scope(h))
            .map(|(_, _, i)| self.hedge_modality[i])
            .collect();
        [
            Modality::Speculative,
            Modality::Alleged,
            Modality::Assessed,
            Modality::Reported,
        ]
        .into_iter()
        .find(|m| found.contains(m))
    }

    fn negated(&self, text: &str, cs: usize, ts: usize) -> bool {
        // Within six words before the trigger; a trigger phrase with its own "not" is positive.
        let from = text[cs..ts]
            .char_indices()
            .rev()
            .filter(|(_, c)| c.is_whitespace())
            .nth(6)
            .map(|(i, _)| cs + i)
            .unwrap_or(cs);
        // Not across another trigger: in "failed to dismantle the camps" the negation is the
        // dismantling's, not the camps'.
        let from = self
            .trigger_phrases
            .find(text, from, ts)
            .last()
            .map_or(from, |&(_, end, _)| end.max(from));
        !self.negations.find(text, from, ts).is_empty()
    }
}

/// Whether the participle at `ts` is used as an adjective after a determiner.
fn adjectival(text: &str, s: usize, ts: usize) -> bool {
    let word: String = text[ts..]
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect();
    word.ends_with("ed")
        && text[s..ts]
            .split_whitespace()
            .next_back()
            .is_some_and(|w| matches!(w.to_lowercase().as_str(), "the" | "a" | "an"))
}

/// Whether `phrase` ends with the word(s) `tail`, after a space.
fn ends_with_word(phrase: &str, tail: &str) -> bool {
    phrase
        .strip_suffix(tail)
        .is_some_and(|rest| rest.ends_with(' '))
}

/// The reporting party a headline names ("UN panel finds ...", "Crisis Group: ..."): its first
/// agency, for the body's "the report" when the body names none before (see
/// [`ClaimExtractor::extract_with_headline`]).
///
/// Without a title, the last segment of the document's URL stands for its headline when it is
/// one written as words ("/un-panel-of-experts-finds-group-rearmed/"), as news sites write them;
/// its acronyms of agencies ("un", "unsc") are read as written in capitals.
///
/// A headline naming the UN as a whole ("UN report: ...") over a body whose first group on a
/// UN sanctions list is on one of the lists a UN body reports on names that body (`body` holds
/// the text's mentions): the report on a group of the ISIL and Al-Qaida list is the Monitoring
/// Team's.
pub fn headline_source(
    mentions: &MentionExtractor,
    title: Option<&str>,
    url: Option<&str>,
    body: &[MentionRef],
) -> Option<Source> {
    let resolver = mentions.resolver();
    let slug;
    let title = match title.filter(|t| !t.trim().is_empty()) {
        Some(t) => t,
        None => {
            slug = url.and_then(url_headline).map(|words| {
                words
                    .split(' ')
                    .map(|w| {
                        let upper = w.to_uppercase();
                        let agency_acronym = w.len() <= 5
                            && resolver.lookup(&upper).is_some_and(|i| {
                                resolver.entity(i).entity_type == EntityType::Agency
                            });
                        if agency_acronym {
                            upper
                        } else {
                            w.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })?;
            slug.as_str()
        }
    };
    let named = crate::evaluate::mention_refs(mentions, title)
        .into_iter()
        .find(|m| m.entity_type == EntityType::Agency)?;
    let monitor = body
        .iter()
        .filter(|m| m.entity_type == EntityType::ArmedGroup)
        .find_map(|m| resolver.monitor_of(&named.id, &m.id))
        .map(|i| resolver.entity(i));
    Some(match monitor {
        Some(e) => Source {
            entity: Some(EntityId(e.id.clone())),
            name: e.name.clone(),
        },
        None => Source {
            entity: Some(EntityId(named.id)),
            name: named.name,
        },
    })
}

/// The words of a URL's last path segment when it reads as a headline: at least four words of
/// letters joined by hyphens or underscores, a file extension dropped; `None` for ids
/// ("?p=115314", "/202409285880").
pub fn url_headline(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let segment = path.trim_end_matches('/').rsplit('/').next()?;
    let segment = segment
        .rsplit_once('.')
        .filter(|(_, ext)| ext.len() <= 5 && ext.chars().all(|c| c.is_ascii_alphanumeric()))
        .map_or(segment, |(stem, _)| stem);
    let words: Vec<&str> = segment
        .split(['-', '_'])
        .filter(|w| !w.is_empty())
        .collect();
    let wordy = words
        .iter()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count();
    (wordy >= 4).then(|| words.join(" "))
}

/// Words by which a sentence without names may still refer to one ("The group ...", "It ...").
const ANAPHORS: [&str; 10] = [
    "it",
    "its",
    "they",
    "their",
    "them",
    "group",
    "militants",
    "outfit",
    "authorities",
    "government",
];

/// Words by which a sentence continues the previous one's report: "likewise", "also".
const CONTINUATIONS: [&str; 7] = [
    "likewise",
    "also",
    "further",
    "furthermore",
    "moreover",
    "additionally",
    "similarly",
];

/// What a document has established so far.
#[derive(Debug)]
struct DocState {
    publisher: String,
    /// The source a later "the report" or "it" refers back to.
    last_source: Option<Source>,
    /// The person a later "he" or "she" refers back to.
    last_person: Option<Source>,
    /// The publisher has spoken of itself ("we", "our assessment").
    self_voice: bool,
    /// The reporting party the headline names, for a back-reference with none before it.
    headline: Option<Source>,
    /// The last source that is no armed group: what "the report" or "the study" refers back
    /// to when a group's claim ("IS claimed the bombing") came in between.
    last_author: Option<Source>,
}

impl DocState {
    /// Remembers `src` as the last source; as the last author too unless `all` names it as
    /// an armed group.
    fn remember(&mut self, src: &Source, all: &[MentionRef]) {
        self.last_source = Some(src.clone());
        let group = src.entity.as_ref().is_some_and(|id| {
            all.iter()
                .any(|m| m.id == id.0 && m.entity_type == EntityType::ArmedGroup)
        });
        if !group {
            self.last_author = Some(src.clone());
        }
    }
}

impl Sentence<'_> {
    /// The attributions with a source whose content holds the trigger at `ts`, outermost
    /// first: the reporting chain around it.
    fn reporting(&self, ts: usize) -> Vec<usize> {
        let mut chain: Vec<usize> = (0..self.atts.len())
            .filter(|&i| {
                let (a, b) = self.atts[i].content;
                a <= ts && ts < b && self.sources[i].is_some()
            })
            .collect();
        chain.sort_by_key(|&i| std::cmp::Reverse(self.atts[i].content.1 - self.atts[i].content.0));
        chain
    }

    /// The parentheticals of the clause `[cs, ce)` (see [`parentheticals`]), computed once per
    /// clause: every trigger of a clause asks for them.
    fn parentheticals(&self, cs: usize, ce: usize) -> Vec<(usize, usize)> {
        if let Some((_, p)) = self
            .paren_cache
            .borrow()
            .iter()
            .find(|(k, _)| *k == (cs, ce))
        {
            return p.clone();
        }
        let found = self.compute_parentheticals(cs, ce);
        self.paren_cache
            .borrow_mut()
            .push(((cs, ce), found.clone()));
        found
    }

    fn compute_parentheticals(&self, cs: usize, ce: usize) -> Vec<(usize, usize)> {
        let text = self.text;
        parentheticals(text, cs, ce, |comma| {
            self.mentions.iter().any(|m| {
                m.end <= comma
                    && text[m.end..comma]
                        .trim_end_matches(['’', '\'', 's', ')'])
                        .trim()
                        .is_empty()
            })
        })
    }
}

/// A byte range of a sentence: a clause, a parenthetical.
type Clause = (usize, usize);

struct Sentence<'a> {
    text: &'a str,
    s: usize,
    e: usize,
    mentions: &'a [&'a MentionRef],
    all: &'a [MentionRef],
    atts: &'a [Attribution],
    sources: &'a [Option<Source>],
    /// The source a sentence without attribution continues from the sentence before.
    inherited: Option<(Source, Modality)>,
    paren_cache: std::cell::RefCell<Vec<(Clause, Vec<Clause>)>>,
}

/// The modality an attribution gives: its cue's, except that what rests "according to" an
/// assessment or an estimate is assessed ("according to a recent UN assessment").
fn attribution_modality(text: &str, a: &Attribution) -> Modality {
    let estimate = a.class == CueClass::SourceAfter
        && a.source.is_some_and(|(x, y)| {
            text[x..y].split_whitespace().next_back().is_some_and(|w| {
                one_of(
                    w.trim_end_matches([',', '.', ';']),
                    &["assessment", "assessments", "estimate", "estimates"],
                )
            })
        });
    if estimate {
        Modality::Assessed
    } else {
        modality_of(a.class)
    }
}

fn modality_of(class: CueClass) -> Modality {
    match class {
        CueClass::Reporting | CueClass::SourceAfter => Modality::Reported,
        CueClass::Alleging => Modality::Alleged,
        CueClass::Assessing => Modality::Assessed,
        CueClass::Denying => Modality::Denied,
    }
}

/// Whether the words between a source (ending at `source_end`) and its cue are a relative
/// pronoun: ", which", "who", "that".
fn relative_clause(text: &str, source_end: usize, cue_start: usize) -> bool {
    source_end < cue_start
        && one_of(
            text[source_end..cue_start].trim_matches([' ', ',']),
            &["which", "who", "that"],
        )
}

/// Acts-against triggers that a third party can ask for: the asking is itself an act.
const HANDING_OVER: [&str; 5] = [
    "hand over",
    "handed over",
    "extradite",
    "expelled",
    "arrest",
];

/// Where a request to the party at `party` stands when it is "<asked> <party> ... to
/// <trigger>": "asked the Taliban to hand over", "pressed Kabul to act against", "urged
/// Islamabad to".
fn request_before(text: &str, from: usize, party: usize, ts: usize) -> Option<usize> {
    const ASKING: &[&str] = &[
        "asked",
        "asks",
        "asking",
        "urged",
        "urges",
        "urging",
        "pressed",
        "presses",
        "pressing",
        "requested",
        "requests",
        "encouraged",
        "encourages",
        "pushed",
        "pushes",
        "pushing",
        "pressured",
        "pressures",
        "pressuring",
        "on",
    ];
    let between = &text[party..ts];
    // "<party> to <trigger>", the party's name and a few words before "to".
    let to = between.find(" to ")?;
    if between[..to].split_whitespace().count() > 6
        || text[party + to + 4..ts].split_whitespace().count() > 3
    {
        return None;
    }
    let (ws, we) = word_before_at(text, from, party)?;
    let word = &text[ws..we];
    let asking = one_of(word, ASKING)
        && (!word.eq_ignore_ascii_case("on")
            || word_before_at(text, from, ws).is_some_and(|(a, b)| {
                one_of(&text[a..b], &["called", "calls", "calling", "call"])
            }));
    asking.then_some(ws)
}

/// The word before `at` (after `from`), skipping an article: "asked the Taliban" gives "asked".
fn word_before_at(text: &str, from: usize, at: usize) -> Option<(usize, usize)> {
    let (ws, we) = word_before(text, from, at)?;
    if one_of(&text[ws..we], &["the", "a", "an"]) {
        word_before_at(text, from, ws)
    } else {
        Some((ws, we))
    }
}

/// The clause around a trigger: the sentence, cut at semicolons.
fn clause_bounds(text: &str, s: usize, e: usize, ts: usize, te: usize) -> (usize, usize) {
    // A contrast joins two clauses with their own arguments: "A had 4,000 fighters, while
    // another estimated its strength at 2,000". Commas are found by a byte search; this runs
    // for every trigger and count.
    let contrast = |at: &str| at.starts_with(", while ") || at.starts_with(", whereas ");
    let before = &text[s..ts];
    let cs = before
        .rmatch_indices([',', ';'])
        .find(|&(p, m)| m == ";" || contrast(&before[p..]))
        .map_or(s, |(p, m)| s + p + if m == ";" { 1 } else { 2 });
    let after = &text[te..e];
    let ce = after
        .match_indices([',', ';'])
        .find(|&(p, m)| m == ";" || contrast(&after[p..]))
        .map_or(e, |(p, _)| te + p);
    (cs, ce)
}

/// Spans of parenthetical material in `[cs, ce)`: ", which|who|whom|a|an|the|one ... ,",
/// "(...)" and "— ... —".
fn parentheticals(
    text: &str,
    cs: usize,
    ce: usize,
    after_name: impl Fn(usize) -> bool,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let clause = &text[cs..ce];
    let lower = clause.to_lowercase();
    let openers = [
        ", which ",
        ", who ",
        ", whom ",
        ", a ",
        ", an ",
        ", the ",
        ", one of ",
        ", whose ",
        ", backed by ",
        ", supported by ",
        ", aided by ",
        ", assisted by ",
        ", funded by ",
        ", armed by ",
        ", trained by ",
        ", with support from ",
        ", with the support of ",
        ", with help from ",
    ];
    // Every comma once, each opener compared where one stands (not one scan of the clause per
    // opener); listed by opener, then position, as before.
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    for (p, _) in lower.match_indices(", ") {
        for (k, opener) in openers.iter().enumerate() {
            if !lower[p..].starts_with(opener) {
                continue;
            }
            // An apposition (", a group ...") must follow a name; a relative clause or a
            // participle (", backed by ...") need not.
            let appositive = !opener.starts_with(", wh")
                && !opener.ends_with(" by ")
                && !opener.starts_with(", with ");
            if appositive && !after_name(cs + p) {
                continue;
            }
            let start = p + 1;
            let end = clause[start..]
                .find([',', ';', '—'])
                .map(|e| start + e)
                .unwrap_or(clause.len());
            found.push((k, cs + start, cs + end));
        }
    }
    found.sort_unstable();
    out.extend(found.into_iter().map(|(_, a, b)| (a, b)));
    for (open, close) in [('(', ')'), ('—', '—'), ('–', '–')] {
        let mut from = 0;
        while let Some(p) = clause[from..].find(open) {
            let start = from + p + open.len_utf8();
            match clause[start..].find(close) {
                Some(e) => {
                    out.push((cs + start, cs + start + e));
                    from = start + e + close.len_utf8();
                }
                None => break,
            }
        }
    }
    out
}

/// Whether the trigger at `ts` is a passive participle: "was killed", "were arrested".
fn is_passive(text: &str, from: usize, ts: usize) -> bool {
    let trigger_word: String = text[ts..]
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase();
    let participle = trigger_word.ends_with("ed")
        || matches!(
            trigger_word.as_str(),
            "held"
                | "given"
                | "told"
                | "driven"
                | "shut"
                | "struck"
                | "sent"
                | "seen"
                | "taken"
                | "run"
                | "built"
                | "hit"
        );
    if !participle {
        return false;
    }
    let before = text[from..ts].to_lowercase();
    let words: Vec<&str> = before.split_whitespace().rev().take(3).collect();
    match words.as_slice() {
        [w, ..] if matches!(*w, "was" | "were" | "been" | "being" | "is" | "are" | "be") => true,
        [_, w, ..] if matches!(*w, "was" | "were" | "been" | "being") => true,
        _ => false,
    }
}

/// Whether a subject pronoun stands right before the trigger: "when it held sway".
fn pronoun_subject(text: &str, from: usize, ts: usize) -> bool {
    let before = text[from..ts].to_lowercase();
    // "they have no links", "it has close ties": the determiners of a nominal trigger.
    let words: Vec<&str> = before
        .split_whitespace()
        .rev()
        .skip_while(|w| {
            matches!(
                *w,
                "no" | "any" | "close" | "strong" | "deep" | "direct" | "longstanding"
            )
        })
        .take(3)
        .collect();
    match words.as_slice() {
        [w, ..] if matches!(*w, "it" | "they") => true,
        [w, "the", ..]
            if matches!(
                *w,
                "group" | "militants" | "organisation" | "organization" | "outfit"
            ) =>
        {
            true
        }
        [a, w, ..]
            if matches!(*w, "it" | "they")
                && matches!(
                    *a,
                    "has"
                        | "had"
                        | "have"
                        | "is"
                        | "was"
                        | "were"
                        | "are"
                        | "also"
                        | "still"
                        | "now"
                        | "then"
                        | "had been"
                        | "continues"
                        | "continued"
                ) =>
        {
            true
        }
        _ => false,
    }
}

/// The person's name that opens a source phrase before its institution ("Aaron Zelin of the",
/// "Hana Ouali from the", "Seth G. Jones at"): two to four capitalised words (a middle initial
/// allowed), then "of", "from" or "at".
fn person_before_affiliation(before: &str) -> Option<&str> {
    let before = before.trim_end();
    let before = before.strip_suffix(" the").unwrap_or(before);
    let name = [" of", " from", " at"]
        .iter()
        .find_map(|p| before.strip_suffix(p))?
        .trim();
    let words: Vec<&str> = name.split_whitespace().collect();
    let capitalised = |w: &str| {
        let mut chars = w.chars();
        chars.next().is_some_and(char::is_uppercase)
            && chars.all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\'' | '’'))
    };
    let ok = (2..=4).contains(&words.len())
        && words.iter().all(|w| capitalised(w))
        && !one_of(words[0], &["The", "A", "An", "According", "Officials", "Sources"])
        // The last word a surname, not an initial.
        && words.last().is_some_and(|w| w.trim_end_matches('.').chars().count() > 1);
    ok.then_some(name)
}

/// What a group claims when it claims an attack: "claimed a drone attack", "claims the
/// twin bombings".
const CLAIMED_ATTACK_NOUNS: [&str; 22] = [
    "attack",
    "attacks",
    "bombing",
    "bombings",
    "ambush",
    "assault",
    "raid",
    "raids",
    "blast",
    "blasts",
    "explosion",
    "strike",
    "strikes",
    "shooting",
    "killing",
    "killings",
    "kidnapping",
    "abduction",
    "massacre",
    "beheading",
    "assassination",
    "operation",
];

/// Words between a verb's subject and the verb: "security forces had also arrested".
const VERB_AUXILIARIES: &[&str] = &[
    "had",
    "has",
    "have",
    "were",
    "was",
    "also",
    "then",
    "reportedly",
];

/// Whether "the authorities" or "the government" is the trigger's subject.
fn authority_anaphor(text: &str, from: usize, ts: usize) -> bool {
    let before = text[from..ts].to_lowercase();
    let words: Vec<&str> = before
        .split_whitespace()
        .rev()
        .skip_while(|w| VERB_AUXILIARIES.contains(w))
        .take(2)
        .collect();
    match words.as_slice() {
        [w, "the", ..] => matches!(
            *w,
            "authorities" | "government" | "regime" | "rulers" | "police"
        ),
        ["forces", "security", ..] | ["troops", ..] | ["police", ..] => true,
        _ => false,
    }
}

/// Whether "the group" (or "the militants") stands right after the trigger as its object:
/// "arrested forty members of the group".
fn group_anaphor_after(text: &str, te: usize, ce: usize) -> bool {
    let after = text[te..ce].to_lowercase();
    let words: Vec<&str> = after
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(6)
        .collect();
    matches!(words.first(), Some(&"them") | Some(&"it"))
        || words
            .windows(2)
            .any(|w| w[0] == "the" && GROUP_NOUNS.contains(&w[1]))
}

/// Whether an unnamed plural noun is the trigger's subject: "groups linked to".
fn unnamed_subject(text: &str, from: usize, ts: usize) -> bool {
    text[from..ts]
        .split_whitespace()
        .next_back()
        .is_some_and(|w| {
            matches!(
                w.to_lowercase().as_str(),
                "groups"
                    | "outfits"
                    | "organisations"
                    | "organizations"
                    | "factions"
                    | "networks"
                    | "entities"
            )
        })
}

/// Whether "its" or "their" stands right before the trigger ("its activities inside").
fn possessive_anaphor(text: &str, from: usize, ts: usize) -> bool {
    let before = text[from..ts].to_lowercase();
    before
        .split_whitespace()
        .rev()
        .take(2)
        .any(|w| matches!(w, "its" | "their" | "whose"))
}

/// Whether an anaphor ("it", "its", "the group") stands between the clause start and the
/// trigger.
fn anaphor_before(text: &str, cs: usize, ts: usize) -> bool {
    let window = text[cs..ts].to_lowercase();
    let words: Vec<&str> = window
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let last = &words[words.len().saturating_sub(6)..];
    last.iter().any(|w| {
        matches!(
            *w,
            "it" | "its"
                | "group"
                | "outfit"
                | "organisation"
                | "organization"
                | "militants"
                | "which"
                | "whose"
        )
    })
}

/// `w` without the punctuation around it.
fn letters(w: &str) -> &str {
    w.trim_matches(|c: char| !c.is_alphabetic())
}

/// Verbs whose object is under attack: "stormed the camp in Kunar" tells no one's camp.
const ATTACKING: [&str; 17] = [
    "attacked",
    "attacking",
    "attack",
    "attacks",
    "stormed",
    "storming",
    "overran",
    "overrunning",
    "targeted",
    "targeting",
    "assaulted",
    "struck",
    "hit",
    "shelled",
    "bombed",
    "besieged",
    "ambushed",
];

/// Words before an infrastructure noun that make it a state's or a civilian one: "a military
/// base", "police headquarters", "a refugee camp".
const NOT_GROUP_INFRASTRUCTURE: [&str; 19] = [
    "military",
    "army",
    "police",
    "government",
    "naval",
    "navy",
    "air",
    "security",
    "refugee",
    "displacement",
    "IDP",
    "UN",
    "peacekeeping",
    "detention",
    "prison",
    "detainees",
    "prisoners",
    "displaced",
    "refugees",
];

/// Whether the clause before the trigger says no one did it: "No group has claimed", "no one
/// was behind".
fn no_one_before(text: &str, from: usize, ts: usize) -> bool {
    let window = &text[from..ts];
    // Most clauses hold no "no": nothing to split then.
    if !window.contains("no ") && !window.contains("No ") && !window.contains("obody") {
        return false;
    }
    let mut previous = "";
    window.split_whitespace().any(|w| {
        let hit = w.eq_ignore_ascii_case("nobody")
            || (previous.eq_ignore_ascii_case("no")
                && one_of(
                    w.trim_end_matches(','),
                    &[
                        "group",
                        "one",
                        "organisation",
                        "organization",
                        "faction",
                        "outfit",
                    ],
                ));
        previous = w;
        hit
    })
}

/// Nouns that, after "the", refer back to an armed group named before: "the group said",
/// "attacks against the militants".
const GROUP_NOUNS: [&str; 10] = [
    "group",
    "militants",
    "organisation",
    "organization",
    "outfit",
    "insurgents",
    "rebels",
    "jihadists",
    "paramilitaries",
    "movement",
];

/// Whether `gap` (text between a trigger and a name after it) holds "and" followed by a verb
/// in the past tense: "French troops and turned to".
fn second_verb(gap: &str) -> bool {
    // The word before, and whether it is the gap's first word ("and" must follow another).
    let mut previous: Option<&str> = None;
    let mut second = false;
    gap.split_whitespace().any(|w| {
        let hit = second
            && previous.is_some_and(|p| p.eq_ignore_ascii_case("and"))
            && w.len() > 3
            && w.chars().all(|c| c.is_ascii_lowercase())
            && (w.ends_with("ed")
                || [
                    "said", "took", "made", "sent", "began", "went", "fled", "fought", "held",
                    "left", "led", "met", "ran", "saw", "won", "gave", "told", "struck",
                ]
                .contains(&w));
        second = previous.is_some();
        previous = Some(w);
        hit
    })
}

/// Whether the word before `at` is a preposition of place: "in Mogadishu", "from Kabul".
fn after_preposition(text: &str, at: usize) -> bool {
    let mut words = text[..at]
        .trim_end()
        .rsplit(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty());
    let word = words.next().unwrap_or("");
    // "the government in Bamako", "authorities in Kabul": the capital names the government.
    if word.eq_ignore_ascii_case("in")
        && words.next().is_some_and(|w| {
            one_of(
                w,
                &[
                    "government",
                    "authorities",
                    "regime",
                    "junta",
                    "officials",
                    "rulers",
                ],
            )
        })
    {
        return false;
    }
    one_of(
        word,
        &[
            "in",
            "at",
            "from",
            "to",
            "near",
            "around",
            "across",
            "into",
            "over",
            "of",
            "on",
            "outside",
            "inside",
            "through",
            "throughout",
            "towards",
            "toward",
            "within",
        ],
    )
}

/// Subjects or objects of a trigger: the nearest mention of an allowed type on the given side,
/// and the mentions coordinated with it ("A, B and C").
#[allow(clippy::too_many_arguments)]
fn pick_arguments<'a>(
    text: &str,
    mentions: &[&'a MentionRef],
    ts: usize,
    te: usize,
    before: bool,
    types: &[EntityType],
    metonyms: &HashMap<String, String>,
    max_gap: usize,
) -> Vec<&'a MentionRef> {
    // A capital stands for its government as an actor ("Asmara denied", "Kabul hosts"), not
    // as a place ("attacks in Mogadishu").
    let allowed = |m: &MentionRef| {
        types.contains(&m.entity_type)
            || (metonyms.contains_key(&m.id)
                && (types.contains(&EntityType::State) || types.contains(&EntityType::Authority))
                && !after_preposition(text, m.start))
    };
    let side: Vec<&'a MentionRef> = if before {
        mentions
            .iter()
            .copied()
            .filter(|m| m.end <= ts)
            .rev()
            .collect()
    } else {
        mentions.iter().copied().filter(|m| m.start >= te).collect()
    };
    let mut out: Vec<&'a MentionRef> = Vec::new();
    let mut last: Option<&MentionRef> = None;
    // The last name was a possessor: the name it possesses follows right after.
    let mut possessor = false;
    for m in side {
        match last {
            None => {
                if !allowed(m) {
                    continue;
                }
                // "Kunar's Manogay district": the possessed name, not the possessor.
                if !before {
                    let rest = &text[m.end..];
                    if (rest.starts_with("’s ") || rest.starts_with("'s "))
                        && mentions
                            .iter()
                            .any(|n| n.start > m.end && n.start <= m.end + "’s ".len())
                    {
                        continue;
                    }
                }
                // Too far from the trigger: not its argument.
                let gap = if before {
                    &text[m.end..ts]
                } else {
                    &text[te..m.start]
                };
                if gap.split_whitespace().count() > max_gap {
                    break;
                }
                // "expelled French troops and turned to the Wagner Group": a second verb
                // after "and" opens another clause; its names are not this trigger's objects.
                if !before && second_verb(gap) {
                    break;
                }
                out.push(m);
                last = Some(m);
            }
            Some(_)
                if !before && {
                    let rest = &text[m.end..];
                    (rest.starts_with("’s ") || rest.starts_with("'s "))
                        && mentions
                            .iter()
                            .any(|n| n.start > m.end && n.start <= m.end + "’s ".len())
                } =>
            {
                // A possessor inside the list ("and Nangarhar's Achin district"): skip it, the
                // possessed name continues the list.
                let gap = &text[last.map_or(m.start, |p| p.end)..m.start];
                if !is_coordination(gap) {
                    break;
                }
                last = Some(m);
                possessor = true;
                continue;
            }
            Some(prev) => {
                let gap = if before {
                    &text[m.end..prev.start]
                } else {
                    &text[prev.end..m.start]
                };
                // Read backwards from the trigger, a list ends in a conjunction ("TTP,
                // Al-Qaida and other groups operate"); a bare comma there is an apposition
                // ("allegiance to Islamic State, ISWAP, is present").
                let apposition = before
                    && out.len() == 1
                    && gap.trim() == ","
                    && !text[m.end..ts].contains(" and ")
                    && !text[m.end..ts].contains(" or ")
                    // Three names in a row with commas are a list without a conjunction.
                    && !mentions
                        .iter()
                        .any(|n| n.end <= m.start && text[n.end..m.start].trim() == ",");
                if !apposition && (std::mem::take(&mut possessor) || is_coordination(gap)) {
                    if allowed(m) {
                        out.push(m);
                    }
                    last = Some(m);
                } else {
                    break;
                }
            }
        }
    }
    out
}

/// Whether a name at `at` is introduced as an ally ("alongside", "side by side with",
/// "together with", "in alliance with") within the text after the trigger ending at `from`.
fn comitative_before(text: &str, from: usize, at: usize) -> bool {
    // The last words before the name, nearest first (the longest marker has four).
    let mut last: Vec<&str> = text[from..at]
        .split_whitespace()
        .rev()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| {
            !w.is_empty()
                && !["the", "a", "its", "their"]
                    .iter()
                    .any(|x| w.eq_ignore_ascii_case(x))
        })
        .take(4)
        .collect();
    last.reverse();
    const MARKERS: [&[&str]; 5] = [
        &["alongside"],
        &["side", "by", "side", "with"],
        &["together", "with"],
        &["in", "alliance", "with"],
        &["shoulder", "to", "shoulder", "with"],
    ];
    MARKERS.iter().any(|m| {
        last.len() >= m.len()
            && last[last.len() - m.len()..]
                .iter()
                .zip(m.iter())
                .all(|(w, x)| w.eq_ignore_ascii_case(x))
    })
}

/// After a nominal trigger ("camp", "bases"), where its owner is named: right after "run by",
/// "operated by", "belonging to" and the like (at most one word between).
fn agent_after(text: &str, te: usize, we: usize) -> Option<usize> {
    let rest = &text[te..we];
    let lower = rest.to_ascii_lowercase();
    const AGENT: &[&str] = &[
        "run by ",
        "operated by ",
        "used by ",
        "controlled by ",
        "managed by ",
        "maintained by ",
        "established by ",
        "set up by ",
        "belonging to ",
        "owned by ",
    ];
    AGENT
        .iter()
        .filter_map(|a| lower.find(a).map(|p| (p, a.len())))
        .filter(|(p, _)| lower[..*p].split_whitespace().count() <= 1)
        .min()
        .map(|(p, n)| te + p + n)
}

/// Text between two coordinated names: ", ", " and ", ", together with fighters from ", ...
fn is_coordination(gap: &str) -> bool {
    const GLUE: &[&str] = &[
        "and",
        "or",
        "as",
        "well",
        "together",
        "with",
        "along",
        "from",
        "fighters",
        "members",
        "of",
        "the",
        "rank",
        "file",
        "both",
        "forces",
        "units",
        "militants",
        "also",
        "its",
        "their",
        "other",
        "core",
        "cadres",
        "elements",
        "&",
        "plus",
        // A place's head noun: "Manogay district and Achin district".
        "district",
        "districts",
        "province",
        "provinces",
        "region",
        "regions",
        "city",
        "cities",
        "area",
        "areas",
        "town",
        "towns",
        "valley",
        "governorate",
        "governorates",
        "county",
        "counties",
        "state",
        "states",
        "territory",
        "territories",
        "department",
        "departments",
        "prefecture",
        "prefectures",
        "municipality",
        "municipalities",
    ];
    let lower = gap.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '/' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    words.len() <= 6
        && words.iter().all(|w| GLUE.contains(w))
        && !(words.is_empty() && !gap.contains(',') && !gap.contains('/') && !gap.trim().is_empty())
}

/// Counts of people killed: "killing three officers", "left 28 soldiers dead".
#[derive(Debug)]
struct KilledFinder(regex::Regex);

impl Default for KilledFinder {
    fn default() -> Self {
        KilledFinder(
            regex::Regex::new(
                r"(?i)(?:killing|killed|left|leaving)\s+(?:at least\s+)?(\w+)|(\w+)\s+(?:\w+\s+)?(?:were\s+)?(?:killed|dead|died|lost their lives)",
            )
            .expect("valid regex"),
        )
    }
}

impl KilledFinder {
    fn count(&self, clause: &str) -> Option<u64> {
        const WORDS: [&str; 12] = [
            "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve",
        ];
        for c in self.0.captures_iter(clause) {
            let word = c.get(1).or(c.get(2))?.as_str().to_lowercase();
            if let Ok(n) = word.replace(',', "").parse::<u64>() {
                return Some(n);
            }
            if let Some(p) = WORDS.iter().position(|w| *w == word) {
                return Some(p as u64 + 1);
            }
        }
        None
    }
}

/// One claim per proposition, source, modality and negation in each sentence: the same claim
/// in two sentences is two pieces of evidence.
fn dedup(claims: &mut Vec<Claim>) {
    let mut seen = std::collections::HashSet::new();
    claims.retain(|c| {
        let (a, b) = match (&c.object, c.predicate.is_symmetric()) {
            (Some(o), true) if o.id.0 < c.subject.id.0 => (o.id.0.clone(), c.subject.id.0.clone()),
            (o, _) => (
                c.subject.id.0.clone(),
                o.as_ref().map(|o| o.id.0.clone()).unwrap_or_default(),
            ),
        };
        seen.insert((
            a,
            c.predicate,
            b,
            c.source.name.clone(),
            c.modality,
            c.negated,
            c.evidence.start,
            // Two figures in one sentence ("4,000 by one Member State, 2,000 by another")
            // are two claims.
            c.qualifiers.low,
            c.qualifiers.high,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_written_as_words_stands_for_a_missing_headline() {
        assert_eq!(
            url_headline("https://example.org/2024/07/panel-of-experts-finds-group-rearmed/")
                .as_deref(),
            Some("panel of experts finds group rearmed")
        );
        assert_eq!(
            url_headline("https://example.org/news/monitoring-team-says-camps-grew.html?ref=x")
                .as_deref(),
            Some("monitoring team says camps grew")
        );
        assert_eq!(url_headline("https://example.org/?p=115314"), None);
        assert_eq!(url_headline("http://example.org/en/202409285880"), None);
        assert_eq!(url_headline("https://example.org/syria"), None);
        let mentions = MentionExtractor::new(&crate::Gazetteer::builtin());
        let source = headline_source(
            &mentions,
            None,
            Some("https://example.org/monitoring-team-warns-of-new-camps/"),
            &[],
        )
        .expect("the URL's words name the team");
        assert_eq!(source.entity.unwrap().0, "hw:un-monitoring-team");
        let titled = headline_source(
            &mentions,
            Some("Monitoring Team: camps grew"),
            Some("https://example.org/unrelated-words-in-this-url/"),
            &[],
        );
        assert_eq!(titled.unwrap().entity.unwrap().0, "hw:un-monitoring-team");
    }

    #[test]
    fn a_headline_naming_the_un_names_the_body_that_reports_on_the_group() {
        let mentions = MentionExtractor::new(&crate::Gazetteer::builtin());
        let headline = |title: Option<&str>, url: &str, body: &str| {
            let refs = crate::evaluate::mention_refs(&mentions, body);
            headline_source(&mentions, title, Some(url), &refs)
                .and_then(|s| s.entity)
                .map(|e| e.0)
        };
        let url = "https://example.org/un-report-says-militants-built-new-camps/";
        // A group of the ISIL and Al-Qaida list: the Monitoring Team writes the UN's reports.
        assert_eq!(
            headline(None, url, "The report says the TTP built two camps.").as_deref(),
            Some("hw:un-monitoring-team")
        );
        // A group of the Somalia list: the Panel of Experts on Somalia.
        assert_eq!(
            headline(None, url, "The report says al-Shabaab built two camps.").as_deref(),
            Some("hw:un-panel-somalia")
        );
        // No listed group: the UN itself ("un" in a URL read as the acronym).
        assert_eq!(
            headline(
                None,
                url,
                "The report says the Free Hills Front built camps."
            )
            .as_deref(),
            Some("hw:united-nations")
        );
        // "UNSC committee report" at the end of a URL, and a title the same way.
        assert_eq!(
            headline(
                None,
                "https://example.org/new-chief-appointed-unsc-committee-report/",
                "It adds that ISIL-K lost ground."
            )
            .as_deref(),
            Some("hw:un-monitoring-team")
        );
        assert_eq!(
            headline(Some("UN experts: camps grew"), url, "It says the TTP grew.").as_deref(),
            Some("hw:un-monitoring-team")
        );
        // A headline naming a body of its own keeps it.
        assert_eq!(
            headline(
                Some("Panel of Experts on Yemen: camps grew"),
                url,
                "It says the TTP grew."
            )
            .as_deref(),
            Some("hw:un-panel-yemen")
        );
    }

    /// Every occurrence of `surface` as a mention.
    fn all(text: &str, surface: &str, id: &str, t: EntityType) -> Vec<MentionRef> {
        text.match_indices(surface)
            .map(|(start, _)| MentionRef {
                start,
                end: start + surface.len(),
                id: id.into(),
                name: surface.into(),
                entity_type: t,
            })
            .collect()
    }

    #[test]
    fn attribution_chain_negation_and_denial() {
        let text = "The Panel said that the Front operates in Lenz. The Authority has not taken action against the Front, the Panel said, but the Authority denied that the Front has camps in Lenz.";
        let mut mentions = Vec::new();
        for (surface, id, t) in [
            ("Panel", "panel", EntityType::Agency),
            ("Front", "front", EntityType::ArmedGroup),
            ("Lenz", "lenz", EntityType::Location),
            ("Authority", "auth", EntityType::Authority),
        ] {
            mentions.extend(all(text, surface, id, t));
        }
        mentions.sort_by_key(|m| m.start);
        let claims = ClaimExtractor::builtin().extract(text, Some("Outlet"), &mentions);
        let show: Vec<String> = claims
            .iter()
            .map(|c| {
                format!(
                    "{} {} {} | {} {} {}",
                    c.subject.id,
                    c.predicate,
                    c.object.as_ref().map(|o| o.id.0.as_str()).unwrap_or("-"),
                    c.source.name,
                    c.modality,
                    c.negated
                )
            })
            .collect();
        assert!(
            show.contains(&"front operates_in lenz | Panel reported false".to_string()),
            "{show:#?}"
        );
        assert!(
            show.contains(&"auth acts_against front | Panel reported true".to_string()),
            "{show:#?}"
        );
        assert!(
            show.iter()
                .any(|s| s.starts_with("front maintains_infrastructure lenz | Authority denied")),
            "{show:#?}"
        );
    }
}
