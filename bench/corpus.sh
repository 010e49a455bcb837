# Sourced by the bench scripts: `corpus N WORKDIR` prints the path of a generated corpus of N
# news-sized documents under WORKDIR, generating it on first use.
corpus() {
  mkdir -p "$2"
  local path="$2/corpus-$1.jsonl"
  if [ ! -f "$path" ]; then
    echo "generating $1 documents into $path ..." >&2
    python3 bench/gen_corpus.py "$1" "$path"
  fi
  echo "$path"
}
