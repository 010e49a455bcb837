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

/// An independent origin: a key to compare and a name to show.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Origin {
    /// The folded name of the party: the innermost source of a reported claim, or the outlet
    /// speaking (the first carrier of a syndicated story). The same party is the same origin
    /// whether it publishes or is reported.
    pub key: String,
    pub name: String,
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
    for i in 0..n {
        for j in i + 1..n {
            let same_doc = claims[i].document == claims[j].document;
            let near = match (claims[i].fingerprint, claims[j].fingerprint) {
                (Some(a), Some(b)) => hamming(a, b) <= near_duplicate_bits,
                _ => false,
            };
            if same_doc || near {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                if a != b {
                    parent[b] = a;
                }
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
