#!/usr/bin/env python3
"""Writes a synthetic corpus of news-sized documents (about 4 KB each) as JSON Lines.

Sentences are built from templates and names (real group names from the gazetteer, invented
filler), so entity resolution has realistic work to do. Deterministic for a given seed.
Usage: gen_corpus.py N OUT.jsonl [START]
START numbers the documents from START (default 0) with its own seed: new documents for an
existing corpus.
"""
import json, random, sys

n, out = int(sys.argv[1]), sys.argv[2]
start = int(sys.argv[3]) if len(sys.argv) > 3 else 0
rng = random.Random(42 + start)
groups = ["Tehrik-e Taliban Pakistan", "TTP", "al-Qaeda", "ISKP", "Islamic State Khorasan Province",
          "Hay'at Tahrir al-Sham", "Al-Shabaab", "JNIM", "Boko Haram", "Lashkar-e-Taiba",
          "the Haqqani Network", "ETIM", "Jaish-e-Mohammed", "the Houthis", "ISWAP"]
places = ["Kunar", "Nangarhar", "Khost", "Paktika", "North Waziristan", "Bajaur", "Kabul", "Quetta",
          "Idlib", "Mogadishu", "Borno", "the Sahel", "Khyber Pakhtunkhwa", "Balochistan", "Mali"]
verbs = ["attacked a checkpoint in", "was reported to operate in", "moved fighters to",
         "claimed responsibility for a bombing in", "is believed to keep camps in"]
filler = ["Officials said the situation remained tense.", "Residents described hearing gunfire overnight.",
          "Analysts cautioned that casualty figures could not be verified.",
          "Local elders called for talks between the parties.", "The roads to the district were closed for two days."]
publishers = ["Synthetic Wire", "Bench Post", "Example Times", "Test Monitor"]
with open(out, "w") as f:
    for i in range(start, start + n):
        parts, size = [], 0
        while size < 4000:
            if rng.random() < 0.15:
                s = f"{rng.choice(groups)} {rng.choice(verbs)} {rng.choice(places)}, according to {rng.choice(publishers)}."
            else:
                s = rng.choice(filler)
            parts.append(s)
            size += len(s) + 1
        doc = {"text": f"Report {i}. " + " ".join(parts), "title": f"Synthetic report {i}",
               "publisher": rng.choice(publishers), "published": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"}
        f.write(json.dumps(doc) + "\n")
