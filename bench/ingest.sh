#!/usr/bin/env bash
# Ingest benchmark: generate N news-sized documents (default 1,000,000 x ~4 KB) and ingest them
# into a fresh store. Prints documents/s, MB/s and peak RSS, for each mode asked:
#   resolution  documents, entity resolution, discovery, mentions, full-text index
#               (`ingest --defer-claims`: claims extracted later by `reextract`)
#   claims      the same and claim extraction at ingest (the default `ingest`)
#   both        (default) one, then the other
# Usage: bench/ingest.sh [N] [WORKDIR] [resolution|claims|both]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
WORK=${2:-bench/out}
MODE=${3:-both}
case "$MODE" in resolution | claims | both) ;; *)
  echo "bench/ingest.sh: mode must be resolution, claims or both, not '$MODE'" >&2
  exit 2
  ;;
esac
source bench/corpus.sh
CORPUS=$(corpus "$N" "$WORK")
DB="$WORK/bench.db"
cargo build --release -q
BYTES=$(stat -c %s "$CORPUS")

run() {
  local mode=$1
  shift
  rm -f "$DB" "$DB-wal" "$DB-shm"
  echo "== $mode: ingesting $N documents ($((BYTES / 1000000)) MB) on $(nproc) cores ..."
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" \
    target/release/havenwatch --db "$DB" ingest "$CORPUS" --quiet --json "$@" > "$WORK/result.json"
  read -r SECS RSS_KB < "$WORK/time.txt"
  python3 - "$N" "$BYTES" "$SECS" "$RSS_KB" "$WORK/result.json" <<'PY'
import json, sys
n, size, secs, rss = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
r = json.load(open(sys.argv[5]))
print(f"documents:   {r['added']} added, {r['failed']} failed, {r['mentions']} mentions, {r['claims']} claims")
load = r["loading_seconds"]
print(f"wall time:   {secs:.1f} s ({load:.1f} s loading, {r['seconds'] - load:.1f} s building the indexes set aside, {secs - r['seconds']:.1f} s opening and closing)")
print(f"throughput:  {n / secs:,.0f} documents/s, {size / secs / 1e6:.1f} MB/s")
print(f"peak RSS:    {rss / 1024:.0f} MB")
PY
  ls -la "$DB" | awk '{printf "store size:  %.0f MB\n", $5/1e6}'
}

if [ "$MODE" != claims ]; then run resolution --defer-claims; fi
if [ "$MODE" != resolution ]; then run claims; fi
