//! Extraction throughput on one core: entity resolution, discovery, attribution and claims
//! over a JSON Lines corpus (as `bench/gen_corpus.py` writes). Prints figures; asserts nothing.
//!
//! Usage: cargo run --release -p havenwatch-extract --example throughput -- CORPUS.jsonl [LIMIT]

use havenwatch_extract::claims::ClaimExtractor;
use havenwatch_extract::evaluate::mention_refs_of;
use havenwatch_extract::{Gazetteer, MentionExtractor};
use std::io::BufRead;
use std::time::Instant;

/// The allocator the `havenwatch` binary runs with, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: throughput CORPUS.jsonl [LIMIT]");
    let limit: usize = args
        .next()
        .map(|n| n.parse().expect("LIMIT is a number"))
        .unwrap_or(usize::MAX);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut texts: Vec<(String, Option<String>)> = Vec::new();
    for line in std::io::BufReader::new(file).lines().take(limit) {
        let line = line.expect("readable corpus");
        let v: serde_json::Value = serde_json::from_str(&line).expect("JSON Lines");
        texts.push((
            v["text"].as_str().unwrap_or_default().to_string(),
            v["publisher"].as_str().map(str::to_string),
        ));
    }
    let bytes: usize = texts.iter().map(|(t, _)| t.len()).sum();
    let gazetteer = Gazetteer::builtin();
    let mentions = MentionExtractor::new(&gazetteer);
    let claims = ClaimExtractor::for_resolver(mentions.resolver());

    let started = Instant::now();
    let mut found_mentions = 0usize;
    for (text, _) in &texts {
        found_mentions += mentions.analyze(text).mentions.len();
    }
    let resolve = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut found_claims = 0usize;
    for (text, publisher) in &texts {
        let analysis = mentions.analyze(text);
        let refs = mention_refs_of(&mentions, &analysis);
        found_claims += claims.extract(text, publisher.as_deref(), &refs).len();
    }
    let full = started.elapsed().as_secs_f64();

    let mb = bytes as f64 / 1e6;
    println!("corpus:      {} documents, {:.1} MB", texts.len(), mb);
    println!(
        "resolution:  {:.1} MB/s on one core ({} mentions)",
        mb / resolve,
        found_mentions
    );
    println!("full:        {:.1} MB/s on one core ({} claims; resolution, discovery, attribution, relations)", mb / full, found_claims);
    println!("documents/s: {:.0}", texts.len() as f64 / full);
}
