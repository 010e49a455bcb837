//! What a finding is computed from, kept so that new claims are added to it without reading
//! the old ones again.
//!
//! A [`FindingState`] holds tallies, not claims: per party a claim was reported through, per
//! syndication cluster ("story") of documents speaking in their own voice, per period; the
//! smallest document ids; the newest claim's names. Every part is independent of the order
//! claims arrive in: counts add up, minima and maxima do not care, and stories are the connected
//! components of "fingerprints within `near_duplicate_bits`", found exactly (every pair within
//! the distance shares one of `bits + 1` bands, so candidates from the bands are all of them).
//! Folding claims in one step or in many gives the same finding: an update equals a rebuild.

use crate::config::Config;
use crate::findings::{is_contradiction, is_hedged, Finding, DOCUMENTS_LISTED};
use crate::grading::{Credibility, Grade, Reliability};
use crate::independence::{find, union, BandIndex, Origin};
use havenwatch_core::text::{alias_key, hamming};
use havenwatch_core::{Predicate, Tlp};
use havenwatch_store::StoredClaim;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the claims of one origin say of a finding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Tally {
    /// Claims that assert it.
    support: u32,
    /// Of those, claims that do not hedge.
    firm: u32,
    /// Claims that deny or negate it.
    contra: u32,
}

impl Tally {
    fn count(&mut self, c: &StoredClaim) {
        if is_contradiction(c) {
            self.contra += 1;
        } else {
            self.support += 1;
            self.firm += u32::from(!is_hedged(c));
        }
    }

    fn add(&mut self, other: Tally) {
        self.support += other.support;
        self.firm += other.firm;
        self.contra += other.contra;
    }
}

/// A party claims were reported through: the innermost source of their chains.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Party {
    /// The first of its spellings in sort order (the same whatever order claims came in).
    name: String,
    tally: Tally,
}

/// Documents that are near-duplicates of each other (one story, however many outlets carry
/// it), with the claims they make in their own voice. Its origin is its earliest carrier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Story {
    /// The earliest carrier's date and document, as [`date_key`] and [`document_key`].
    earliest: (u32, u64),
    /// The earliest carrier's outlet, an index into [`FindingState::publishers`].
    publisher: u32,
    tally: Tally,
}

/// The newest claim, whose names the finding shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Newest {
    published: Option<String>,
    document: String,
    start: usize,
    subject: String,
    subject_id: String,
    predicate: Predicate,
    object: Option<String>,
    object_id: Option<String>,
}

impl Newest {
    /// Newer: a later date (undated is oldest), then a later document id, then an earlier
    /// sentence (the order findings list claims in).
    fn order(&self) -> (Option<&str>, &str, std::cmp::Reverse<usize>) {
        (
            self.published.as_deref(),
            &self.document,
            std::cmp::Reverse(self.start),
        )
    }
}

/// Everything a finding is computed from; see the module's documentation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FindingState {
    reports: usize,
    supporting: usize,
    hedged: usize,
    newest: Option<Newest>,
    /// Claims reported through someone, by the folded name of the innermost party.
    parties: BTreeMap<String, Party>,
    /// Outlets of stories' earliest carriers.
    publishers: Vec<String>,
    trend: BTreeMap<String, usize>,
    first_seen: Option<String>,
    last_seen: Option<String>,
    document_count: usize,
    /// The smallest [`DOCUMENTS_LISTED`] document ids.
    documents: Vec<String>,
    tlp: Option<Tlp>,
    /// Stories, each its own cluster (merged when a document joins two).
    #[serde(skip)]
    stories: Vec<Story>,
    /// Distinct fingerprints of stories' documents, each with its story.
    #[serde(skip)]
    prints: Vec<(u64, u32)>,
}

/// Above this many new claims at once, near-duplicates are looked up through bands rather
/// than by comparing with every kept fingerprint.
const BANDED_ABOVE: usize = 64;

/// A date as a number that sorts like the text: the first eight digits (`2024-03-05` is
/// 20240305); undated is 0, the oldest, as `None` sorts before any date.
fn date_key(published: Option<&str>) -> u32 {
    let Some(p) = published else { return 0 };
    let mut n: u32 = 0;
    for d in p.bytes().filter(u8::is_ascii_digit).take(8) {
        n = n * 10 + u32::from(d - b'0');
    }
    n.max(1)
}

/// A document id as a number that sorts like it: ids are hex content hashes, whose first 16
/// digits decide any realistic comparison.
fn document_key(id: &str) -> u64 {
    match id.get(..16).and_then(|h| u64::from_str_radix(h, 16).ok()) {
        Some(k) => k,
        None => {
            // Not a hash (a test's id): its first bytes, big-endian, sort like the text.
            let mut k = [0u8; 8];
            for (slot, b) in k.iter_mut().zip(id.bytes()) {
                *slot = b;
            }
            u64::from_be_bytes(k)
        }
    }
}

impl FindingState {
    /// Folds in claims of this finding not folded before (claims arrive with their document:
    /// a document's claims are all in one call).
    pub fn add(&mut self, claims: &[&StoredClaim], config: &Config) {
        let bits = config.near_duplicate_bits;
        let mut parent: Vec<u32> = (0..self.stories.len() as u32).collect();
        let mut index = (claims.len() > BANDED_ABOVE).then(|| {
            let mut index = BandIndex::new(bits);
            for (at, &(print, _)) in self.prints.iter().enumerate() {
                index.insert(print, at as u32);
            }
            index
        });
        let mut publisher_ids: FxHashMap<String, u32> = self
            .publishers
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), i as u32))
            .collect();
        let mut new_documents: FxHashSet<&str> = FxHashSet::default();
        let mut story_of_document: FxHashMap<&str, u32> = FxHashMap::default();
        for &c in claims {
            let doc = c.document.0.as_str();
            if new_documents.insert(doc) {
                self.document_count += 1;
                self.documents.push(doc.to_string());
            }
            self.reports += 1;
            if !is_contradiction(c) {
                self.supporting += 1;
                self.hedged += usize::from(is_hedged(c));
            }
            if let Some(d) = c.published.as_deref() {
                *self.trend.entry(config.period.of(d)).or_default() += 1;
                if self.first_seen.as_deref().is_none_or(|f| d < f) {
                    self.first_seen = Some(d.to_string());
                }
                if self.last_seen.as_deref().is_none_or(|l| d > l) {
                    self.last_seen = Some(d.to_string());
                }
            }
            self.tlp = Some(self.tlp.map_or(c.tlp, |t| t.max(c.tlp)));
            let newer = self.newest.as_ref().is_none_or(|n| {
                (
                    c.published.as_deref(),
                    doc,
                    std::cmp::Reverse(c.claim.evidence.start),
                ) > n.order()
            });
            if newer {
                let claim = &c.claim;
                self.newest = Some(Newest {
                    published: c.published.clone(),
                    document: doc.to_string(),
                    start: claim.evidence.start,
                    subject: claim.subject.name.clone(),
                    subject_id: claim.subject.id.0.clone(),
                    predicate: claim.predicate,
                    object: claim.object.as_ref().map(|o| o.name.clone()),
                    object_id: claim.object.as_ref().map(|o| o.id.0.clone()),
                });
            }
            if !c.claim.via.is_empty() {
                // Reported through someone: the innermost party is the origin.
                let name = &c.claim.source.name;
                let party = self
                    .parties
                    .entry(alias_key(name))
                    .or_insert_with(|| Party {
                        name: name.clone(),
                        tally: Tally::default(),
                    });
                if *name < party.name {
                    party.name = name.clone();
                }
                party.tally.count(c);
                continue;
            }
            // In the document's own voice: the document's story.
            let story = match story_of_document.get(doc) {
                Some(&s) => s,
                None => {
                    let outlet = c.publisher.as_deref().unwrap_or(&c.claim.source.name);
                    let publisher = match publisher_ids.get(outlet) {
                        Some(&p) => p,
                        None => {
                            let p = self.publishers.len() as u32;
                            self.publishers.push(outlet.to_string());
                            publisher_ids.insert(outlet.to_string(), p);
                            p
                        }
                    };
                    let s = self.stories.len() as u32;
                    self.stories.push(Story {
                        earliest: (date_key(c.published.as_deref()), document_key(doc)),
                        publisher,
                        tally: Tally::default(),
                    });
                    parent.push(s);
                    if let Some(print) = c.fingerprint {
                        self.join_near_duplicates(print, s, bits, &mut parent, index.as_mut());
                    }
                    story_of_document.insert(doc, s);
                    s
                }
            };
            self.stories[story as usize].tally.count(c);
        }
        self.documents.sort_unstable();
        self.documents.dedup();
        self.documents.truncate(DOCUMENTS_LISTED);
        self.compact(&mut parent);
    }

    /// Joins story `s` (whose document has fingerprint `print`) with every story holding a
    /// fingerprint within `bits`, and keeps the fingerprint unless an equal one is kept.
    fn join_near_duplicates(
        &mut self,
        print: u64,
        s: u32,
        bits: u32,
        parent: &mut [u32],
        index: Option<&mut BandIndex>,
    ) {
        match index {
            Some(index) => {
                if let Some(at) = index.exact(print) {
                    // An exact copy: its neighbours are already its story's.
                    union(parent, s, self.prints[at as usize].1);
                    return;
                }
                for at in index.candidates(print) {
                    let (other, story) = self.prints[at as usize];
                    if hamming(print, other) <= bits {
                        union(parent, s, story);
                    }
                }
                index.insert(print, self.prints.len() as u32);
            }
            None => {
                let mut copy = false;
                for &(other, story) in &self.prints {
                    if hamming(print, other) <= bits {
                        union(parent, s, story);
                        copy |= other == print;
                    }
                }
                if copy {
                    return;
                }
            }
        }
        self.prints.push((print, s));
    }

    /// Merges joined stories into one each: the earliest carrier speaks for the story.
    fn compact(&mut self, parent: &mut [u32]) {
        let mut renumber: Vec<u32> = vec![u32::MAX; self.stories.len()];
        let mut merged: Vec<Story> = Vec::new();
        for i in 0..self.stories.len() {
            let root = find(parent, i as u32) as usize;
            let story = self.stories[i];
            if renumber[root] == u32::MAX {
                renumber[root] = merged.len() as u32;
                merged.push(Story {
                    tally: Tally::default(),
                    ..story
                });
            }
            let m = &mut merged[renumber[root] as usize];
            m.tally.add(story.tally);
            if story.earliest < m.earliest {
                m.earliest = story.earliest;
                m.publisher = story.publisher;
            }
            renumber[i] = renumber[root];
        }
        for (_, story) in &mut self.prints {
            *story = renumber[*story as usize];
        }
        self.stories = merged;
    }

    /// The finding, graded under `config`; `None` before any claim.
    pub fn finding(&self, config: &Config) -> Option<Finding> {
        let newest = self.newest.as_ref()?;
        // Independent origins: parties and stories' outlets, one per folded name.
        let mut origins: BTreeMap<String, (String, Tally)> = self
            .parties
            .iter()
            .map(|(key, p)| (key.clone(), (p.name.clone(), p.tally)))
            .collect();
        for story in &self.stories {
            let name = &self.publishers[story.publisher as usize];
            let entry = origins
                .entry(alias_key(name))
                .or_insert_with(|| (name.clone(), Tally::default()));
            if *name < entry.0 {
                entry.0 = name.clone();
            }
            entry.1.add(story.tally);
        }
        // Most claims first, then by name.
        let listed = |count: fn(&Tally) -> u32| -> Vec<Origin> {
            let mut list: Vec<(&String, &String, u32)> = origins
                .iter()
                .map(|(key, (name, t))| (key, name, count(t)))
                .filter(|(_, _, n)| *n > 0)
                .collect();
            list.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(b.1)));
            list.into_iter()
                .map(|(key, name, _)| Origin {
                    key: key.clone(),
                    name: name.clone(),
                })
                .collect()
        };
        let support = listed(|t| t.support);
        let contra = listed(|t| t.contra);
        let hedged_origins = origins
            .values()
            .filter(|(_, t)| t.support > 0 && t.firm == 0)
            .count();
        let credibility = Credibility::judge(support.len(), hedged_origins, contra.len());
        // The source grade: the most reliable origin that supports it (or, if none, that speaks).
        let graded = if support.is_empty() {
            &contra
        } else {
            &support
        };
        let reliability = graded
            .iter()
            .map(|o| config.reliability(&o.name))
            .min()
            .unwrap_or(Reliability::F);
        let grade = Grade {
            reliability,
            credibility,
        };
        Some(Finding {
            subject: newest.subject.clone(),
            subject_id: newest.subject_id.clone(),
            predicate: newest.predicate,
            object: newest.object.clone(),
            object_id: newest.object_id.clone(),
            reports: self.reports,
            supporting: self.supporting,
            contradicting: self.reports - self.supporting,
            hedged: self.hedged,
            independent_origins: support.len(),
            explanation: grade.explain(support.len(), contra.len()),
            estimative: grade.estimative().to_string(),
            confidence: grade.confidence(),
            grade: grade.code(),
            // Several reports, one origin.
            circular: self.supporting >= 2 && support.len() == 1,
            origins: support,
            contradicting_origins: contra,
            first_seen: self.first_seen.clone(),
            last_seen: self.last_seen.clone(),
            direction: crate::findings::direction(&self.trend).to_string(),
            trend: self.trend.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            document_count: self.document_count,
            documents: self.documents.clone(),
            tlp: self.tlp.unwrap_or(Tlp::Red),
        })
    }

    /// The state as the store keeps it: its tallies as JSON, then stories (28 bytes each) and
    /// fingerprints (12 bytes each), little-endian, each list after its length.
    pub fn encode(&self) -> Vec<u8> {
        let json = serde_json::to_vec(self).expect("a finding's state serialises");
        let mut out =
            Vec::with_capacity(12 + json.len() + self.stories.len() * 28 + self.prints.len() * 12);
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        out.extend_from_slice(&(self.stories.len() as u32).to_le_bytes());
        for s in &self.stories {
            out.extend_from_slice(&s.earliest.0.to_le_bytes());
            out.extend_from_slice(&s.earliest.1.to_le_bytes());
            out.extend_from_slice(&s.publisher.to_le_bytes());
            out.extend_from_slice(&s.tally.support.to_le_bytes());
            out.extend_from_slice(&s.tally.firm.to_le_bytes());
            out.extend_from_slice(&s.tally.contra.to_le_bytes());
        }
        out.extend_from_slice(&(self.prints.len() as u32).to_le_bytes());
        for (print, story) in &self.prints {
            out.extend_from_slice(&print.to_le_bytes());
            out.extend_from_slice(&story.to_le_bytes());
        }
        out
    }

    /// Reads what [`encode`](Self::encode) wrote; an error says what is wrong with it.
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        let mut at = 0usize;
        let mut take = |n: usize| -> Result<&[u8], String> {
            let part = bytes
                .get(at..at + n)
                .ok_or_else(|| format!("a kept finding's state ends early at byte {at}"))?;
            at += n;
            Ok(part)
        };
        let u32_of = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("four bytes"));
        let u64_of = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("eight bytes"));
        let len = u32_of(take(4)?) as usize;
        let mut state: FindingState = serde_json::from_slice(take(len)?)
            .map_err(|e| format!("a kept finding's state: {e}"))?;
        let stories = u32_of(take(4)?) as usize;
        let block = take(stories.checked_mul(28).ok_or("too many stories")?)?;
        state.stories = block
            .chunks_exact(28)
            .map(|s| Story {
                earliest: (u32_of(&s[0..4]), u64_of(&s[4..12])),
                publisher: u32_of(&s[12..16]),
                tally: Tally {
                    support: u32_of(&s[16..20]),
                    firm: u32_of(&s[20..24]),
                    contra: u32_of(&s[24..28]),
                },
            })
            .collect();
        let prints = u32_of(take(4)?) as usize;
        let block = take(prints.checked_mul(12).ok_or("too many fingerprints")?)?;
        state.prints = block
            .chunks_exact(12)
            .map(|p| (u64_of(&p[0..8]), u32_of(&p[8..12])))
            .collect();
        let publishers = state.publishers.len() as u32;
        let known = state.stories.len() as u32;
        if state.stories.iter().any(|s| s.publisher >= publishers)
            || state.prints.iter().any(|&(_, s)| s >= known)
        {
            return Err("a kept finding's state refers to a story or outlet it lacks".into());
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use havenwatch_core::{
        Claim, DocumentId, EntityId, EntityRef, Modality, Qualifiers, Source, Span,
    };

    /// A small deterministic generator: the tests need variety, not a dependency.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 11
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Claims of one proposition over `docs` documents: copies of a few stories with a few bits
    /// flipped (so that some copies join stories only through others), outlets, parties,
    /// denials, hedges, undated documents and documents without a fingerprint.
    fn corpus(seed: u64, docs: usize) -> Vec<StoredClaim> {
        let mut rng = Lcg(seed);
        let bases: Vec<u64> = (0..4).map(|_| rng.next() << 11 ^ rng.next()).collect();
        let outlets = ["Wire", "Post", "Times", "Courier", "the Post"];
        let parties = ["UN Panel", "U.N. panel", "Ministry", "Ash Front"];
        let mut out = Vec::new();
        for d in 0..docs {
            let mut print = bases[rng.below(4) as usize];
            for _ in 0..rng.below(5) {
                print ^= 1 << rng.below(64);
            }
            let fingerprint = (rng.below(10) > 0).then_some(print);
            let published = (rng.below(12) > 0)
                .then(|| format!("2024-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)));
            let publisher = outlets[rng.below(outlets.len() as u64) as usize];
            for k in 0..1 + rng.below(3) {
                let reported = rng.below(3) == 0;
                let source = Source {
                    entity: None,
                    name: if reported {
                        parties[rng.below(parties.len() as u64) as usize].into()
                    } else {
                        publisher.into()
                    },
                };
                let modality = match rng.below(6) {
                    0 => Modality::Denied,
                    1 => Modality::Alleged,
                    2 => Modality::Assessed,
                    3 => Modality::Reported,
                    _ => Modality::Asserted,
                };
                out.push(StoredClaim {
                    claim: Claim {
                        subject: EntityRef {
                            id: EntityId::new("g:a"),
                            name: format!("A Front {}", rng.below(2)),
                        },
                        predicate: Predicate::OperatesIn,
                        object: Some(EntityRef {
                            id: EntityId::new("p:x"),
                            name: "X".into(),
                        }),
                        qualifiers: Qualifiers::default(),
                        via: if reported {
                            vec![source.clone()]
                        } else {
                            Vec::new()
                        },
                        source,
                        modality,
                        negated: rng.below(15) == 0,
                        evidence: Span::new(k as usize * 10, k as usize * 10 + 5),
                    },
                    document: DocumentId(format!("{:016x}{d:04}", rng.next())),
                    title: None,
                    publisher: Some(publisher.into()),
                    published: published.clone(),
                    evidence_text: String::new(),
                    fingerprint,
                    tlp: [Tlp::Clear, Tlp::Green, Tlp::Amber][rng.below(3) as usize],
                });
            }
        }
        out
    }

    fn fold_at_once(claims: &[StoredClaim], config: &Config) -> Finding {
        let refs: Vec<&StoredClaim> = claims.iter().collect();
        let mut state = FindingState::default();
        state.add(&refs, config);
        state.finding(config).unwrap()
    }

    /// Folding documents in any order, in batches of any size (small ones compare with every
    /// fingerprint, large ones go through bands), with the state stored and read back between
    /// batches, gives the finding folded at once.
    #[test]
    fn updates_in_any_order_and_any_steps_equal_a_rebuild() {
        let config = Config::default();
        for seed in 0..40 {
            let claims = corpus(seed, 10 + seed as usize * 7);
            let whole = serde_json::to_value(fold_at_once(&claims, &config)).unwrap();
            // Documents in a shuffled order, cut into batches of random sizes.
            let mut rng = Lcg(seed ^ 0xABCD);
            let mut docs: Vec<&str> = claims.iter().map(|c| c.document.0.as_str()).collect();
            docs.dedup();
            for i in (1..docs.len()).rev() {
                docs.swap(i, rng.below(i as u64 + 1) as usize);
            }
            let mut state = FindingState::default();
            let mut rest = docs.as_slice();
            while !rest.is_empty() {
                let n =
                    (1 + rng.below(if seed % 2 == 0 { 8 } else { 90 }) as usize).min(rest.len());
                let (batch, later) = rest.split_at(n);
                let refs: Vec<&StoredClaim> = claims
                    .iter()
                    .filter(|c| batch.contains(&c.document.0.as_str()))
                    .collect();
                state.add(&refs, &config);
                state = FindingState::decode(&state.encode()).unwrap();
                rest = later;
            }
            let stepwise = serde_json::to_value(state.finding(&config).unwrap()).unwrap();
            assert_eq!(stepwise, whole, "seed {seed}");
        }
    }

    /// The origins are those of the definition, computed the slow way: every pair of documents
    /// compared, clusters closed transitively, each cluster's earliest carrier speaking for it.
    #[test]
    fn origins_are_transitive_clusters_of_near_duplicates() {
        let config = Config::default();
        for seed in 100..130 {
            let claims = corpus(seed, 60);
            let n = claims.len();
            let mut cluster: Vec<usize> = (0..n).collect();
            let own_voice = |c: &StoredClaim| c.claim.via.is_empty();
            loop {
                let mut changed = false;
                for i in 0..n {
                    for j in 0..n {
                        let (a, b) = (&claims[i], &claims[j]);
                        if !own_voice(a) || !own_voice(b) || cluster[i] <= cluster[j] {
                            continue;
                        }
                        let near = a.document == b.document
                            || matches!((a.fingerprint, b.fingerprint), (Some(f), Some(g))
                                if hamming(f, g) <= config.near_duplicate_bits);
                        if near {
                            cluster[i] = cluster[j];
                            changed = true;
                        }
                    }
                }
                if !changed {
                    break;
                }
            }
            let mut expected: Vec<String> = Vec::new();
            for (i, c) in claims.iter().enumerate() {
                if c.claim.negated || c.claim.modality == Modality::Denied {
                    continue;
                }
                let key = if own_voice(c) {
                    let earliest = (0..n)
                        .filter(|&j| own_voice(&claims[j]) && cluster[j] == cluster[i])
                        .min_by_key(|&j| {
                            (
                                date_key(claims[j].published.as_deref()),
                                document_key(&claims[j].document.0),
                            )
                        })
                        .unwrap();
                    alias_key(claims[earliest].publisher.as_deref().unwrap())
                } else {
                    alias_key(&c.claim.source.name)
                };
                expected.push(key);
            }
            expected.sort();
            expected.dedup();
            let mut got: Vec<String> = fold_at_once(&claims, &config)
                .origins
                .into_iter()
                .map(|o| o.key)
                .collect();
            got.sort();
            assert_eq!(got, expected, "seed {seed}");
            // Claim by claim (as scorecards count them), the same origins.
            let refs: Vec<&StoredClaim> = claims.iter().collect();
            let mut per_claim: Vec<String> =
                crate::independence::origins(&refs, config.near_duplicate_bits)
                    .into_iter()
                    .zip(&claims)
                    .filter(|(_, c)| !(c.claim.negated || c.claim.modality == Modality::Denied))
                    .map(|(o, _)| o.key)
                    .collect();
            per_claim.sort();
            per_claim.dedup();
            assert_eq!(per_claim, expected, "seed {seed}: independence::origins");
        }
    }

    #[test]
    fn a_damaged_state_is_an_error_not_a_panic() {
        let claims = corpus(7, 20);
        let refs: Vec<&StoredClaim> = claims.iter().collect();
        let mut state = FindingState::default();
        state.add(&refs, &Config::default());
        let bytes = state.encode();
        for cut in [0, 3, 10, bytes.len() - 1] {
            assert!(FindingState::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        assert_eq!(FindingState::decode(&bytes).unwrap(), state);
    }
}
