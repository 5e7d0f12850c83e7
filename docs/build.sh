#!/usr/bin/env bash
# Build the stratus book so that it cannot rot:
#   1. copy docs/ to target/book-src/ (the committed pages stay untouched);
#   2. run every `$ stratus ...` command shown in a ```console block of a
#      chapter, with the built binary, from a scratch folder that holds the
#      shipped scenarios/ and examples/ — a command that fails fails the build;
#   3. copy what those runs wrote (output/…) into the book, and fail, naming
#      the chapter, when a chart a chapter embeds (`../generated/…`) was not
#      produced;
#   4. generate the reference pages (`stratus reference`) and render the
#      fidelity dossier from the test suite's measurements
#      (target/dossier/*.json, written by tests/it/dossier.rs, run here);
#   5. `mdbook build` with warnings as errors, then an offline link check.
# The book lands in target/book/ (open target/book/index.html).
# Environment: STRATUS_BIN (default target/debug/stratus, built if missing),
# MDBOOK (default mdbook on PATH).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)
bin=${STRATUS_BIN:-$root/target/debug/stratus}
if [ ! -x "$bin" ]; then
  cargo build --quiet --bin stratus
fi
mdbook=${MDBOOK:-mdbook}
stage=$root/target/book-src
work=$root/target/book-runs
rm -rf "$stage" "$work"
mkdir -p "$stage" "$work/bin"
# -L: docs/src/img and docs/src/notebooks are links to docs/img and docs/notebooks.
cp -L docs/book.toml "$stage/"
cp -rL docs/src "$stage/src"
ln -s "$root/scenarios" "$work/scenarios"
ln -s "$root/examples" "$work/examples"
ln -s "$bin" "$work/bin/stratus"

# 2. The chapters' commands.
python3 docs/tools/commands.py list "$stage/src" > "$work/commands.tsv"
n=0
while IFS=$'\t' read -r where cmd; do
  n=$((n + 1))
  t0=$(date +%s%N)
  if ! (cd "$work" && PATH="$work/bin:$PATH" bash -c "$cmd" > "$work/cmd-$n.out" 2> "$work/cmd-$n.err" < /dev/null); then
    echo "docs/build.sh: the command shown at docs/src/$where failed:" >&2
    echo "  \$ $cmd" >&2
    tail -n 30 "$work/cmd-$n.err" >&2
    exit 1
  fi
  printf 'docs: %-45s %6.1f s  $ %s\n' "$where" "$(( ($(date +%s%N) - t0) / 1000000 ))e-3" "$cmd"
done < "$work/commands.tsv"
if [ "$n" -eq 0 ]; then
  echo "docs/build.sh: no commands found in the chapters" >&2
  exit 1
fi

# 3. The charts the chapters embed come from those runs.
mkdir -p "$stage/src/generated"
if [ -d "$work/output" ]; then
  cp -r "$work/output" "$stage/src/generated/output"
fi
python3 docs/tools/embeds.py "$stage/src"
# The output each chapter shows is its command's, from this build.
python3 docs/tools/commands.py fill "$stage/src" "$work"
python3 docs/tools/commands.py library "$stage/src" scenarios

# The reference pages, generated from the schema, clap and the code's lists
# (tests/it/reference.rs checks them against what they describe).
"$bin" reference --out "$stage/src/reference" > /dev/null

# 4. The fidelity dossier, from the test suite's measurements.
# tests/it/dossier.rs writes target/dossier/*.json; run it here too so the
# page is this tree's (a few seconds once `cargo test` has built the tests).
rm -rf target/dossier
cargo test --quiet --test it dossier > "$work/dossier-tests.log" 2>&1 || {
  cat "$work/dossier-tests.log" >&2
  echo "docs/build.sh: the dossier's tests failed" >&2
  exit 1
}
python3 docs/tools/dossier.py "$root" > "$stage/src/background/fidelity.md"

# 5. mdbook with warnings as errors, then the links.
rm -rf target/book
if ! "$mdbook" build "$stage" -d "$root/target/book" > "$work/mdbook.log" 2>&1; then
  cat "$work/mdbook.log" >&2
  echo "docs/build.sh: mdbook build failed" >&2
  exit 1
fi
if grep -E '(WARN|ERROR|warning|error)' "$work/mdbook.log" >&2; then
  echo "docs/build.sh: mdbook printed warnings (treated as errors)" >&2
  exit 1
fi
python3 docs/tools/linkcheck.py target/book
echo "docs: $n commands run, book built in target/book/ in $(( $(date +%s) - start )) s"
