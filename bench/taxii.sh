#!/usr/bin/env bash
# TAXII benchmark: N STIX objects (default 1,000,000) in the GREEN collection, pages of 100
# read by wrk from a second process on loopback, against `havenwatch serve` and against the
# OASIS reference server medallion (memory backend, same objects), with the ratio printed.
#
# Usage: bench/taxii.sh [N] [SECONDS] [MEDALLION_N]
#   N            objects in havenwatch's collection (default 1000000)
#   SECONDS      duration of each wrk run (default 20)
#   MEDALLION_N  objects for the comparison (default 1000): medallion's memory backend copies
#                the whole collection and matches every object against the whole manifest on
#                each request (quadratic: one page took 5.7 s at 1,000 objects and over 60 s at
#                10,000 here), so the ratio is measured with both servers holding MEDALLION_N.
# Installs wrk (Debian) and medallion (PyPI, in target/bench-venv) if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
SECS=${2:-20}
MN=${3:-1000}
WORK=bench/out/taxii
mkdir -p "$WORK"
command -v wrk >/dev/null || { apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }
if [ ! -x target/bench-venv/bin/medallion ]; then
  python3 -m venv target/bench-venv
  target/bench-venv/bin/pip install -q --disable-pip-version-check medallion==3.0.0
fi
cargo build --release -q -p havenwatch-cli -p havenwatch-server --example taxii_fill
HW_PORT=18481; MD_PORT=18482
TOKEN=bench-token
HASH=$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
cat > "$WORK/havenwatch.toml" <<TOML
[partners.bench]
token_sha256 = "$HASH"
max_tlp = "green"
read = ["green"]
TOML
AUTH="Authorization: Basic $(printf 'bench:%s' "$TOKEN" | base64)"
ACCEPT="Accept: application/taxii+json;version=2.1"

fill() { # objects medallion-file db
  rm -f "$3" "$3-wal" "$3-shm"
  target/release/examples/taxii_fill "$3" "$2" "$1" "http://127.0.0.1:$MD_PORT/api1/"
}
wait_port() { for _ in $(seq 1 600); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.5; done; echo "port $1 never opened" >&2; return 1; }
# wrk's Lua: a page of 100 from a random place in the collection (havenwatch's `next` is a
# position), so the whole collection is read, not one cached page.
cat > "$WORK/pages.lua" <<'LUA'
local n = tonumber(os.getenv("BENCH_N"))
request = function()
  local path = os.getenv("BENCH_PATH")
  if os.getenv("BENCH_RANDOM") == "1" then
    path = path .. "&next=" .. math.random(0, math.max(n - 100, 0))
  end
  return wrk.format("GET", path)
end
LUA
run_wrk() { # label url-path random
  BENCH_N=$N BENCH_PATH="$2" BENCH_RANDOM=$3 wrk -t2 -c"${CONNECTIONS:-32}" -d"${SECS}s" --timeout 60s --latency \
    -H "$AUTH" -H "$ACCEPT" -s "$WORK/pages.lua" "http://127.0.0.1:$4" > "$WORK/$1.txt"
  python3 - "$1" "$WORK/$1.txt" <<'PY'
import re, sys
label, text = sys.argv[1], open(sys.argv[2]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
def ms(p):
    m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s|m)\b", text)
    if not m: return float("nan")
    v, u = float(m.group(1)), m.group(2)
    return {"us": v / 1000, "ms": v, "s": v * 1000, "m": v * 60000}[u]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
timeouts = re.search(r"timeout (\d+)", text)
print(f"{label:<34} {rps:>9.2f} req/s   p50 {ms(50):8.2f} ms   p99 {ms(99):9.2f} ms"
      + (f"   non-2xx {errors.group(1)}" if errors else "")
      + (f"   timeouts {timeouts.group(1)}" if timeouts and timeouts.group(1) != '0' else ""))
open(sys.argv[2] + ".rps", "w").write(str(rps))
PY
}

echo "== havenwatch: $N objects"
fill "$N" - "$WORK/bench.db"
target/release/havenwatch --db "$WORK/bench.db" --config "$WORK/havenwatch.toml" serve --addr "127.0.0.1:$HW_PORT" -q 2>"$WORK/serve.log" &
HW=$!
trap 'kill $HW 2>/dev/null || true; kill ${MD:-0} 2>/dev/null || true' EXIT
wait_port $HW_PORT
COL=$(curl -s -H "$AUTH" -H "$ACCEPT" "http://127.0.0.1:$HW_PORT/api1/collections/" | python3 -c "import json,sys; print([c['id'] for c in json.load(sys.stdin)['collections'] if c['alias']=='green'][0])")
PAGE="/api1/collections/$COL/objects/?limit=100"
run_wrk havenwatch-first-page "$PAGE" 0 $HW_PORT
run_wrk havenwatch-random-pages "$PAGE" 1 $HW_PORT
echo "peak RSS of havenwatch serve: $(grep VmHWM /proc/$HW/status | awk '{print $2/1024 " MB"}')"
kill $HW; wait $HW 2>/dev/null || true

echo "== havenwatch: $MN objects (for the ratio)"
fill "$MN" - "$WORK/bench-small.db"
target/release/havenwatch --db "$WORK/bench-small.db" --config "$WORK/havenwatch.toml" serve --addr "127.0.0.1:$HW_PORT" -q 2>"$WORK/serve.log" &
HW=$!
wait_port $HW_PORT
run_wrk "havenwatch-$MN" "$PAGE" 0 $HW_PORT
kill $HW; wait $HW 2>/dev/null || true

medallion_run() { # objects
  echo "== medallion (memory backend): $1 objects"
  fill "$1" "$WORK/medallion.json" "$WORK/medallion-fill.db"
  cat > "$WORK/medallion-conf.json" <<JSON
{"backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend", "filename": "$WORK/medallion.json"},
 "users": {"bench": "$TOKEN"}, "taxii": {"max_page_size": 100}}
JSON
  target/bench-venv/bin/medallion --host 127.0.0.1 --port $MD_PORT "$WORK/medallion-conf.json" 2>"$WORK/medallion.log" &
  MD=$!
  wait_port $MD_PORT
  # Few connections and a longer run: each of medallion's requests takes seconds.
  SECS=$((SECS * 3)) CONNECTIONS=4 run_wrk "medallion-$1" "$PAGE" 0 $MD_PORT
  kill $MD; wait $MD 2>/dev/null || true
}
medallion_run "$MN"
python3 - "$WORK" "$MN" <<'PY'
import sys
w, mn = sys.argv[1], sys.argv[2]
hw = float(open(f"{w}/havenwatch-{mn}.txt.rps").read())
md = float(open(f"{w}/medallion-{mn}.txt.rps").read())
print(f"ratio (first page of 100, havenwatch / medallion at {mn} objects): "
      + (f"{hw / md:,.0f}x" if md > 0 else "medallion completed no request"))
PY
