//! Fills a store's `green` TAXII collection with N synthetic STIX objects for the TAXII
//! benchmark (`bench/taxii.sh`), and writes the same objects as a data file for the OASIS
//! reference server medallion (memory backend), so both serve the same collection.
//!
//! Usage: taxii_fill DB MEDALLION_JSON N MEDALLION_ROOT_URL   (MEDALLION_JSON `-`: none)

use havenwatch_core::Tlp;
use havenwatch_store::{SqliteStore, StixRecord, Store};
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: taxii_fill DB MEDALLION_JSON N MEDALLION_ROOT_URL");
        std::process::exit(2);
    }
    let n: usize = args[3].parse().expect("N is a number");
    let mut store = SqliteStore::open(&args[1]).expect("open the store");
    let collection = havenwatch_server::collections()
        .iter()
        .find(|c| c.name == "green")
        .expect("a green collection");
    let sink: Box<dyn Write> = if args[2] == "-" {
        Box::new(std::io::sink())
    } else {
        Box::new(std::fs::File::create(&args[2]).expect("create the medallion file"))
    };
    let mut out = std::io::BufWriter::new(sink);
    let root = &args[4];
    write!(
        out,
        r#"{{"/discovery": {{"title": "medallion bench", "default": "{root}", "api_roots": ["{root}"]}}, "api1": {{"information": {{"title": "api1", "versions": ["application/taxii+json;version=2.1"], "max_content_length": 104857600}}, "status": [], "collections": [{{"id": "{}", "title": "green", "can_read": true, "can_write": false, "media_types": ["application/stix+json;version=2.1"], "objects": ["#,
        collection.id
    )
    .unwrap();
    let mut manifest = String::new();
    let green = Tlp::Green.stix_marking_id();
    let started = std::time::Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..n {
        let id = format!("threat-actor--{:08x}-0000-4000-8000-{:012x}", i, i);
        let modified = format!("2024-{:02}-{:02}T00:00:00.000Z", i % 12 + 1, i % 28 + 1);
        let json = format!(
            r#"{{"type":"threat-actor","spec_version":"2.1","id":"{id}","created":"{modified}","modified":"{modified}","name":"Bench Group {i}","threat_actor_types":["terrorist"],"aliases":["BG{i}"],"description":"A synthetic group for the TAXII benchmark, number {i}.","object_marking_refs":["{green}"]}}"#
        );
        if i > 0 {
            out.write_all(b",").unwrap();
            manifest.push(',');
        }
        out.write_all(json.as_bytes()).unwrap();
        if args[2] != "-" {
            manifest.push_str(&format!(
            r#"{{"id":"{id}","date_added":"2026-01-01T00:00:00.000000Z","version":"{modified}","media_type":"application/stix+json;version=2.1"}}"#
            ));
        }
        batch.push(StixRecord {
            id,
            object_type: "threat-actor".into(),
            spec_version: "2.1".into(),
            version: modified,
            tlp: Tlp::Green,
            json,
        });
        if batch.len() == 10_000 {
            store.publish_stix("green", &batch).expect("publish");
            batch.clear();
        }
    }
    store.publish_stix("green", &batch).expect("publish");
    write!(out, r#"], "manifest": [{manifest}]}}]}}}}"#).unwrap();
    out.flush().unwrap();
    eprintln!(
        "{n} objects in {} and {} in {:.1} s",
        args[1],
        args[2],
        started.elapsed().as_secs_f64()
    );
}
