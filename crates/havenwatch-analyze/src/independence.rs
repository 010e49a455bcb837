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
    let mut node_of: FxHashMap<&str, usize> = FxHashMap::default();
    let mut carriers: Vec<usize> = Vec::new(); // a claim of each node's document
    for (i, c) in claims.iter().enumerate() {
        if c.claim.via.is_empty() {
            node_of.entry(c.document.0.as_str()).or_insert_with(|| {
                carriers.push(i);
                carriers.len() - 1
            });
        }
    }
    let n = carriers.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], i: usize) -> usize {
        let mut i = i;
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    // Near-duplicates without comparing every pair: fingerprints within `bits` differ in at
    // most `bits` of `bits + 1` bands, so they share one band exactly. Equal fingerprints are
    // joined at once and compared once.
    let bands = (near_duplicate_bits as usize + 1).min(64);
    let width = 64 / bands;
    let mask = if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    let mut first_with: FxHashMap<u64, usize> = FxHashMap::default();
    let mut buckets: FxHashMap<(usize, u64), Vec<(u64, usize)>> = FxHashMap::default();
    for (node, &i) in carriers.iter().enumerate() {
        let Some(f) = claims[i].fingerprint else {
            continue;
        };
        if let Some(&other) = first_with.get(&f) {
            let (a, b) = (find(&mut parent, node), find(&mut parent, other));
            parent[a.max(b)] = a.min(b);
            continue;
        }
        first_with.insert(f, node);
        for band in 0..bands {
            let bucket = buckets
                .entry((band, (f >> (band * width)) & mask))
                .or_default();
            for &(g, other) in bucket.iter() {
                if hamming(f, g) <= near_duplicate_bits {
                    let (a, b) = (find(&mut parent, node), find(&mut parent, other));
                    parent[a.max(b)] = a.min(b);
                }
            }
            bucket.push((f, node));
        }
    }
    // The earliest carrier of each story speaks for it.
    let mut earliest: Vec<Option<usize>> = vec![None; n];
    for (node, &i) in carriers.iter().enumerate() {
        let root = find(&mut parent, node);
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
            let node = node_of[c.document.0.as_str()];
            let root = find(&mut parent, node);
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
