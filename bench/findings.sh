#!/usr/bin/env bash
# Findings benchmark: ingest N generated documents, then time the whole-store analyses
# (all findings recomputed with independence and grading; the network), the incremental update
# after ingesting 1,000 new documents, and the per-entity answers (`show`, `brief`).
# Prints figures; asserts nothing. Usage: bench/findings.sh [N] [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
WORK=${2:-bench/out}
source bench/corpus.sh
CORPUS=$(corpus "$N" "$WORK")
DB="$WORK/findings-$N.db"
cargo build --release -q
HW="target/release/havenwatch --db $DB"
if [ ! -f "$DB" ]; then
  $HW ingest "$CORPUS" --quiet --json > "$WORK/ingest.json"
fi
ms() { local s e; s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
CLAIMS=$($HW summary --json | python3 -c "import json,sys; print(json.load(sys.stdin)['claims'])")
echo "store: $N documents, $CLAIMS claims"
echo "all findings recomputed (findings --rebuild):            $(ms $HW findings --rebuild --json --limit 1) ms"
echo "findings, nothing new (read the kept ones, all):         $(ms $HW findings --json --limit 1000000) ms"
echo "network (kept findings -> graph):                        $(ms $HW network --json) ms"
NEW="$WORK/new-1000-after-$N.jsonl"
python3 bench/gen_corpus.py 1000 "$NEW" "$(( N + $(date +%s) ))"
echo "ingest 1,000 new documents:                              $(ms $HW ingest "$NEW" --quiet) ms"
echo "findings updated after them (incremental):               $(ms $HW findings --json --limit 1) ms"
echo "show TTP:                                                $(ms $HW show TTP --json --limit 20) ms"
echo "brief TTP:                                               $(ms $HW brief TTP) ms"
