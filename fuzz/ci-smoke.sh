#!/usr/bin/env bash
# CI smoke run of the fuzz targets: build every target (see run.sh for the toolchain
# choice), then run each for FUZZ_SMOKE_SECONDS (default 12) on its committed seed corpus,
# two at a time, with a throw-away working corpus. Fails on any crash, leak or hang.
# Budget: under 5 minutes on 2 cores from a cold fuzz/target.
set -euo pipefail
FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
FUZZ_JOBS="${FUZZ_JOBS:-2}" FUZZ_WORK_DIR="$work" \
    "$FUZZ_DIR/run.sh" all "${FUZZ_SMOKE_SECONDS:-12}"
echo "fuzz smoke: all targets passed in $(( $(date +%s) - start ))s"
