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

/// The independent origin of each claim, in order.
pub fn origins(claims: &[&StoredClaim], near_duplicate_bits: u32) -> Vec<Origin> {
    // Syndication clusters over the documents of these claims (union-find by fingerprint).
    let n = claims.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], i: usize) -> usize {
        let mut i = i;
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let union = |parent: &mut Vec<usize>, i: usize, j: usize| {
        let (a, b) = (find(parent, i), find(parent, j));
        if a != b {
            parent[b] = a;
        }
    };
    // Same document: one origin.
    let mut by_doc: FxHashMap<&str, usize> = FxHashMap::default();
    let mut first_of_doc = vec![false; n];
    for (i, c) in claims.iter().enumerate() {
        if let Some(&j) = by_doc.get(c.document.0.as_str()) {
            union(&mut parent, i, j);
        } else {
            by_doc.insert(c.document.0.as_str(), i);
            first_of_doc[i] = true;
        }
    }
    // Near-duplicates without comparing every pair: fingerprints within `bits` differ in at
    // most `bits` of `bits + 1` bands, so they share one band exactly. Candidates are the
    // claims that share a band; each is compared with the bucket's members.
    let bands = (near_duplicate_bits as usize + 1).min(64);
    let width = 64 / bands;
    let mut buckets: FxHashMap<(usize, u64), Vec<usize>> = FxHashMap::default();
    for (i, c) in claims.iter().enumerate() {
        // A document's other claims are already one with its first.
        if !first_of_doc[i] {
            continue;
        }
        let Some(f) = c.fingerprint else { continue };
        for band in 0..bands {
            let shift = band * width;
            let mask = if width >= 64 {
                u64::MAX
            } else {
                (1u64 << width) - 1
            };
            let bucket = buckets.entry((band, (f >> shift) & mask)).or_default();
            for &j in bucket.iter() {
                if find(&mut parent, i) == find(&mut parent, j) {
                    continue;
                }
                if claims[j]
                    .fingerprint
                    .is_some_and(|g| hamming(f, g) <= near_duplicate_bits)
                {
                    union(&mut parent, i, j);
                }
            }
            // A bucket of identical stories needs one representative per cluster only.
            if !bucket
                .iter()
                .any(|&j| find(&mut parent, j) == find(&mut parent, i))
                || bucket.is_empty()
            {
                bucket.push(i);
            }
        }
    }
    // The earliest carrier of each cluster speaks for it.
    let mut earliest: Vec<Option<usize>> = vec![None; n];
    for i in 0..n {
        let root = find(&mut parent, i);
        let better = match earliest[root] {
            None => true,
            Some(e) => {
                (claims[i].published.as_deref(), &claims[i].document)
                    < (claims[e].published.as_deref(), &claims[e].document)
            }
        };
        if better {
            earliest[root] = Some(i);
        }
    }
    (0..n)
        .map(|i| {
            let c = &claims[i].claim;
            if !c.via.is_empty() {
                // Reported through someone: the innermost party is the origin.
                return Origin {
                    key: alias_key(&c.source.name),
                    name: c.source.name.clone(),
                };
            }
            let root = find(&mut parent, i);
            let carrier = earliest[root].expect("every cluster has a member");
            let outlet = claims[carrier]
                .publisher
                .as_deref()
                .unwrap_or(&c.source.name);
            Origin {
                key: alias_key(outlet),
                name: outlet.to_string(),
            }
        })
        .collect()
}
