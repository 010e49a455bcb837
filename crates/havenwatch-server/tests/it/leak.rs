//! No leak, proven by property: for random documents with random markings and a random
//! partner, every endpoint (REST, TAXII) and the STIX export answer that partner exactly as
//! they would if the store had never held anything above its clearance. Equal answers mean no
//! object, count, grade, search hit or error message can reveal what it may not see.

use super::*;
use proptest::prelude::*;

const GROUPS: [&str; 5] = [
    "Amaranth Front",
    "Basalt Brigade",
    "Cobalt Army",
    "Dunmore Movement",
    "Ember Jamaat",
];
const PLACES: [&str; 2] = ["Pell Valley", "Quarry Province"];
const PUBLISHERS: [&str; 4] = ["Open Wire", "Green Desk", "Amber Post", "Red Liaison"];
const PREDICATES: [Predicate; 5] = [
    Predicate::Supports,
    Predicate::CooperatesWith,
    Predicate::HostileTo,
    Predicate::Attacks,
    Predicate::OperatesIn,
];
const MODALITIES: [Modality; 4] = [
    Modality::Asserted,
    Modality::Reported,
    Modality::Alleged,
    Modality::Denied,
];

#[derive(Clone, Debug)]
struct Spec {
    publisher: usize,
    subject: usize,
    predicate: usize,
    object: usize,
    modality: usize,
    tlp: usize,
    month: u32,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..4usize,
        0..5usize,
        0..5usize,
        0..7usize,
        0..4usize,
        0..5usize,
        1..13u32,
    )
        .prop_map(
            |(publisher, subject, predicate, object, modality, tlp, month)| Spec {
                publisher,
                subject,
                predicate,
                object,
                modality,
                tlp,
                month,
            },
        )
}

fn group(i: usize) -> Entity {
    entity(&format!("g:{i}"), GROUPS[i], EntityType::ArmedGroup)
}

fn build(specs: &[Spec]) -> Vec<(AnalysedDocument, Tlp, String)> {
    specs
        .iter()
        .enumerate()
        .filter_map(|(n, s)| {
            let subject = group(s.subject);
            let predicate = PREDICATES[s.predicate];
            let object = if predicate == Predicate::OperatesIn {
                let p = s.object % PLACES.len();
                entity(&format!("l:{p}"), PLACES[p], EntityType::Location)
            } else {
                group(s.object % GROUPS.len())
            };
            if object.id == subject.id {
                return None;
            }
            let tlp = Tlp::ALL[s.tlp];
            let mut d = doc(
                PUBLISHERS[s.publisher],
                &subject,
                predicate,
                &object,
                MODALITIES[s.modality],
                tlp,
                &format!("2024-{:02}-{:02}", s.month, n % 28 + 1),
            );
            // A word only this document holds, for search.
            let marker = format!("Marker{n}");
            d.document.text.push_str(&format!(" {marker}."));
            d.document = Document::new(d.document.meta.clone(), d.document.text.clone());
            for m in &mut d.mentions {
                m.document = d.document.id.clone();
            }
            Some((d, tlp, marker))
        })
        .collect()
}

/// The requests a partner can make, over every endpoint.
fn requests(docs: &[(AnalysedDocument, Tlp, String)]) -> Vec<String> {
    let mut uris: Vec<String> = [
        "/api/v1/stats",
        "/api/v1/documents",
        "/api/v1/entities",
        "/api/v1/claims",
        "/api/v1/findings",
        "/api/v1/network",
        "/api/v1/infrastructure",
        "/api/v1/search?q=Reported",
        "/api/v1/claims?modality=denied",
        "/taxii2/",
        "/api1/",
        "/api1/collections/",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for name in GROUPS.iter().chain(PLACES.iter()) {
        let n = name.replace(' ', "%20");
        uris.push(format!("/api/v1/entities/{n}"));
        uris.push(format!("/api/v1/strength/{n}"));
        uris.push(format!("/api/v1/findings?about={n}"));
        uris.push(format!("/api/v1/network?around={n}"));
        uris.push(format!("/api/v1/claims?subject={n}"));
        uris.push(format!("/api/v1/scorecard/{n}"));
        uris.push(format!("/api/v1/threat/{n}"));
        uris.push(format!("/api/v1/brief/{n}"));
        uris.push(format!("/api/v1/brief/{n}?format=html"));
    }
    for p in PUBLISHERS {
        uris.push(format!("/api/v1/claims?source={}", p.replace(' ', "%20")));
        uris.push(format!(
            "/api/v1/documents?publisher={}",
            p.replace(' ', "%20")
        ));
    }
    for (d, _, marker) in docs {
        uris.push(format!("/api/v1/documents/{}", d.document.id.0));
        uris.push(format!("/api/v1/search?q={marker}"));
    }
    for c in havenwatch_server::collections() {
        uris.push(format!("/api1/collections/{}/", c.id));
        uris.push(format!("/api1/collections/{}/objects/?limit=1000", c.id));
        uris.push(format!("/api1/collections/{}/objects/?limit=3", c.id));
        uris.push(format!("/api1/collections/{}/manifest/?limit=1000", c.id));
        uris.push(format!(
            "/api1/collections/{}/objects/?match[type]=relationship,note",
            c.id
        ));
    }
    uris
}

/// Manifests carry the time each store received an object; nothing else differs by store.
fn normalise(uri: &str, body: &str) -> String {
    if uri.contains("/manifest/") {
        if let Ok(mut v) = serde_json::from_str::<Value>(body) {
            for o in v["objects"].as_array_mut().into_iter().flatten() {
                o.as_object_mut().map(|m| m.remove("date_added"));
            }
            return v.to_string();
        }
    }
    body.to_string()
}

async fn check(specs: Vec<Spec>, level: Tlp) {
    let docs = build(&specs);
    let dir = tempfile::tempdir().unwrap();
    let all: Vec<AnalysedDocument> = docs.iter().map(|(d, _, _)| d.clone()).collect();
    let visible: Vec<AnalysedDocument> = docs
        .iter()
        .filter(|(_, t, _)| *t <= level)
        .map(|(d, _, _)| d.clone())
        .collect();
    let full = server_over(dir.path(), "full.db", &all);
    let oracle = server_over(dir.path(), "oracle.db", &visible);
    let token = token(level);
    // Ids of objects a RED reader sees: asked for by id, they must be as absent as in the
    // oracle.
    let mut uris = requests(&docs);
    let red = havenwatch_server::collections()
        .iter()
        .find(|c| c.name == "red")
        .unwrap();
    let everything = call(
        &full,
        "GET",
        &format!("/api1/collections/{}/objects/?limit=1000", red.id),
        Some("tok-red"),
        None,
    )
    .await
    .json();
    for o in everything["objects"]
        .as_array()
        .into_iter()
        .flatten()
        .take(40)
    {
        for c in havenwatch_server::collections() {
            uris.push(format!(
                "/api1/collections/{}/objects/{}/",
                c.id,
                o["id"].as_str().unwrap()
            ));
        }
    }
    let hidden_markers: Vec<String> = docs
        .iter()
        .filter(|(_, t, _)| *t > level)
        .map(|(_, _, m)| format!("{m}."))
        .collect();
    for uri in &uris {
        let a = call(&full, "GET", uri, Some(&token), None).await;
        let b = call(&oracle, "GET", uri, Some(&token), None).await;
        assert_eq!(
            a.status, b.status,
            "{level}: {uri}: {} / {}",
            a.body, b.body
        );
        assert_eq!(
            normalise(uri, &a.body),
            normalise(uri, &b.body),
            "{level}: {uri} answers differently from a store without the hidden documents"
        );
        for m in &hidden_markers {
            assert!(!a.body.contains(m.as_str()), "{uri} reveals {m}");
        }
    }
    // The export, for the same audience.
    let export = |path: &str| {
        let mut store = SqliteStore::open(dir.path().join(path)).unwrap();
        havenwatch_stix::export(&mut store, &config(), level, "2026-11-26T00:00:00.000Z")
            .unwrap()
            .to_json()
    };
    assert_eq!(
        export("full.db"),
        export("oracle.db"),
        "{level}: the export differs"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn no_partner_learns_anything_above_its_clearance(
        specs in prop::collection::vec(spec(), 1..10),
        level in 0..4usize,
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(check(specs, Tlp::ALL[level]));
    }
}
