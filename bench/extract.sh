#!/usr/bin/env bash
# Extraction benchmark: one core, entity resolution alone and the whole claim extraction
# (resolution, discovery, attribution, relations) over N generated news-sized documents.
# Usage: bench/extract.sh [N] [WORKDIR]      (default 20000 documents, about 80 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
WORK=${2:-bench/out}
source bench/corpus.sh
CORPUS=$(corpus "$N" "$WORK")
cargo build --release -q -p havenwatch-extract --example throughput
target/release/examples/throughput "$CORPUS"
