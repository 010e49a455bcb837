//! Which claims rest on the same origin.
//!
//! Three ways many reports turn out to be one:
//! - a **citation chain**: a claim reported through someone ("according to the UN report")
//!   rests on the innermost party of its chain, whoever carries it;
//! - **syndication**: documents whose text is a near-duplicate (SimHash within a few bits) are
//!   one story, whatever outlet carries it; the origin is the earliest carrier;
//! - **repetition**: an outlet asserting the same thing in several articles is one origin.

use havenwatch_core::text::{alias_key, hamming};
use havenwatch_store::StoredClaim;
use rustc_hash::FxHashMap;

/// An independent origin: a key to compare and a name to show.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Origin {
    /// The folded name of the party: the innermost source of a reported claim, or the outlet
    /// speaking (the first carrier of a syndicated story). The same party is the same origin
    /// whether it publishes or is reported.
    pub key: String,
    pub name: String,
}

/// Origins' names for people: "UN Panel, Courier".
pub fn names(origins: &[Origin]) -> String {
    origins
        .iter()
        .map(|o| o.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The independent origin of each claim, in order: the innermost party of a reported claim;
/// for a claim in its document's own voice, the outlet of the earliest carrier of its story,
/// where stories are the connected components of "fingerprints within `near_duplicate_bits`"
/// among the documents speaking in their own voice (the definition [`crate::fold`] keeps
/// incrementally; a test holds the two to it).
pub fn origins(claims: &[&StoredClaim], near_duplicate_bits: u32) -> Vec<Origin> {
    // One node per document speaking in its own voice.
    let mut node_of: FxHashMap<&str, u32> = FxHashMap::default();
    let mut carriers: Vec<usize> = Vec::new(); // a claim of each node's document
    for (i, c) in claims.iter().enumerate() {
        if c.claim.via.is_empty() {
            node_of.entry(c.document.0.as_str()).or_insert_with(|| {
                carriers.push(i);
                carriers.len() as u32 - 1
            });
        }
    }
    let mut parent: Vec<u32> = (0..carriers.len() as u32).collect();
    // Distinct fingerprints with a node each; an equal one joins that node at once.
    let mut index = BandIndex::new(near_duplicate_bits);
    let mut prints: Vec<(u64, u32)> = Vec::new();
    for (node, &i) in carriers.iter().enumerate() {
        let node = node as u32;
        let Some(f) = claims[i].fingerprint else {
            continue;
        };
        if let Some(at) = index.exact(f) {
            union(&mut parent, node, prints[at as usize].1);
            continue;
        }
        for at in index.candidates(f) {
            let (g, other) = prints[at as usize];
            if hamming(f, g) <= near_duplicate_bits {
                union(&mut parent, node, other);
            }
        }
        index.insert(f, prints.len() as u32);
        prints.push((f, node));
    }
    // The earliest carrier of each story speaks for it.
    let mut earliest: Vec<Option<usize>> = vec![None; carriers.len()];
    for (node, &i) in carriers.iter().enumerate() {
        let root = find(&mut parent, node as u32) as usize;
        let better = earliest[root].is_none_or(|e| {
            (claims[i].published.as_deref(), &claims[i].document)
                < (claims[e].published.as_deref(), &claims[e].document)
        });
        if better {
            earliest[root] = Some(i);
        }
    }
    claims
        .iter()
        .map(|c| {
            if !c.claim.via.is_empty() {
                // Reported through someone: the innermost party is the origin.
                return Origin {
                    key: alias_key(&c.claim.source.name),
                    name: c.claim.source.name.clone(),
                };
            }
            let root = find(&mut parent, node_of[c.document.0.as_str()]) as usize;
            let carrier = claims[earliest[root].expect("every story has a carrier")];
            let outlet = carrier
                .publisher
                .as_deref()
                .unwrap_or(&carrier.claim.source.name);
            Origin {
                key: alias_key(outlet),
                name: outlet.to_string(),
            }
        })
        .collect()
}

/// Near-duplicate candidates through bands: fingerprints within `bits` differ in at most
/// `bits` of `bits + 1` bands, so they share one band exactly; the candidates for a fingerprint
/// are those sharing a band with it (all of its near-duplicates, and some others), and an equal
/// fingerprint is found at once. Entries are indexes into the caller's list of fingerprints.
pub(crate) struct BandIndex {
    bands: usize,
    width: usize,
    buckets: FxHashMap<(u8, u64), Vec<u32>>,
    exact: FxHashMap<u64, u32>,
}

impl BandIndex {
    pub(crate) fn new(bits: u32) -> Self {
        let bands = (bits as usize + 1).min(64);
        BandIndex {
            bands,
            width: 64 / bands,
            buckets: FxHashMap::default(),
            exact: FxHashMap::default(),
        }
    }

    fn band(&self, print: u64, band: usize) -> (u8, u64) {
        let mask = if self.width >= 64 {
            u64::MAX
        } else {
            (1u64 << self.width) - 1
        };
        (band as u8, (print >> (band * self.width)) & mask)
    }

    pub(crate) fn insert(&mut self, print: u64, at: u32) {
        self.exact.insert(print, at);
        for b in 0..self.bands {
            let key = self.band(print, b);
            self.buckets.entry(key).or_default().push(at);
        }
    }

    /// The entry holding this very fingerprint.
    pub(crate) fn exact(&self, print: u64) -> Option<u32> {
        self.exact.get(&print).copied()
    }

    /// Entries sharing a band with `print` (an entry may come more than once).
    pub(crate) fn candidates(&self, print: u64) -> impl Iterator<Item = u32> + '_ {
        (0..self.bands).flat_map(move |b| {
            self.buckets
                .get(&self.band(print, b))
                .into_iter()
                .flatten()
                .copied()
        })
    }
}

/// The root of `i`'s set in a union-find forest (halving the path as it goes).
pub(crate) fn find(parent: &mut [u32], i: u32) -> u32 {
    let mut i = i as usize;
    while parent[i] as usize != i {
        parent[i] = parent[parent[i] as usize];
        i = parent[i] as usize;
    }
    i as u32
}

/// Joins the sets of `a` and `b`; the smaller root stays root.
pub(crate) fn union(parent: &mut [u32], a: u32, b: u32) {
    let (a, b) = (find(parent, a), find(parent, b));
    if a != b {
        parent[a.max(b) as usize] = a.min(b);
    }
}
