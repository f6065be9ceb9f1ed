#!/usr/bin/env bash
# Folds what fuzzing found back into the committed seed corpus, kept small:
#
#   fuzz/cmin.sh TARGET [MAX_LEN]
#
# Runs libFuzzer's set-cover merge over fuzz/corpus/TARGET and the working corpus
# fuzz/target/corpus/TARGET counting edges only (no hit counters, no compare values), with
# inputs of at most MAX_LEN bytes (default 2048), and writes the result back to
# fuzz/corpus/TARGET: the named seeds stay, merged inputs are added under their SHA-1 names.
# Build first with fuzz/run.sh build.
set -euo pipefail
FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
t=${1:?usage: fuzz/cmin.sh TARGET [MAX_LEN]}
max_len=${2:-2048}
bin="$(ls -t "$FUZZ_DIR"/target/*/*/release/"$t" 2>/dev/null | head -n 1)"
[[ -x $bin ]] || { echo "cmin: no built $t (run fuzz/run.sh build $t)" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$bin" -set_cover_merge=1 -use_counters=0 -use_cmp=0 -max_len="$max_len" \
    "$out" "$FUZZ_DIR/corpus/$t" "${FUZZ_WORK_DIR:-$FUZZ_DIR/target/corpus}/$t" >&2
# Drop merged copies of the named seeds and old merged inputs, then add the new set.
find "$FUZZ_DIR/corpus/$t" -type f -regextype posix-extended -regex '.*/[0-9a-f]{40}' -delete
declare -A named=()
for f in "$FUZZ_DIR/corpus/$t"/*; do named[$(sha1sum <"$f" | cut -c1-40)]=1; done
for f in "$out"/*; do
    [[ -n ${named[$(basename "$f")]:-} ]] || cp "$f" "$FUZZ_DIR/corpus/$t/"
done
echo "cmin: $t: $(find "$FUZZ_DIR/corpus/$t" -type f | wc -l) files, $(cat "$FUZZ_DIR/corpus/$t"/* | wc -c) bytes" >&2
