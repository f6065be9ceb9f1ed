#!/usr/bin/env bash
# Coverage-guided fuzzing of typed-oidc with libFuzzer.
#
#   fuzz/run.sh TARGET SECONDS [libFuzzer args...]   one target
#   fuzz/run.sh all SECONDS [libFuzzer args...]      every target, one after the other
#   fuzz/run.sh build [TARGET]                       build only
#   fuzz/run.sh list                                 the targets
#
# No cargo-fuzz needed: this passes the same compiler flags cargo-fuzz does (SanitizerCoverage
# with inline 8-bit counters, PC table and compare tracing, `--cfg fuzzing`, debug assertions,
# AddressSanitizer) to a plain `cargo build --release --target <host>`, so the flags reach the
# crate and its dependencies but not build scripts or proc macros.
#
# Toolchain: `+nightly` when rustup has a nightly toolchain; otherwise the default (stable)
# toolchain with RUSTC_BOOTSTRAP=1 (the `-Z sanitizer` flag is unstable). If the ASan build
# fails there (no sanitizer runtime), it falls back to no sanitizer, like `cargo fuzz -s none`.
#
# Environment:
#   FUZZ_TOOLCHAIN=nightly|stable   force a toolchain
#   FUZZ_SANITIZER=address|none     force the sanitizer (default address, with fallback)
#   FUZZ_JOBS=N                     with `all`: run N targets at a time (default 1)
#   FUZZ_LOG_DIR=DIR                also keep each run's libFuzzer log in DIR/TARGET.log
#   FUZZ_WORK_DIR=DIR               grow working corpora in DIR/TARGET instead
#
# Each run reads the committed seeds in fuzz/corpus/TARGET (never written to) and grows a
# working corpus in fuzz/target/corpus/TARGET; crashes land in fuzz/artifacts/TARGET/.
# Exit status: 0 when every run finished without a crash, 1 otherwise.
set -euo pipefail

FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$FUZZ_DIR"

TARGETS=(jws_compact jwk token_response callback_url form_post discovery userinfo cas_xml jarm dpop_nonce)

usage() {
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

is_target() {
    local t
    for t in "${TARGETS[@]}"; do [[ $t == "$1" ]] && return 0; done
    return 1
}

# ---- toolchain ---------------------------------------------------------------------------
CARGO=(cargo)
pick_toolchain() {
    local tc="${FUZZ_TOOLCHAIN:-}"
    if [[ -z $tc ]]; then
        if command -v rustup >/dev/null 2>&1 && rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
            tc=nightly
        else
            tc=stable
        fi
    fi
    TOOLCHAIN=$tc
    if [[ $tc == nightly ]]; then
        CARGO=(cargo +nightly)
        RUSTC=(rustc +nightly)
    else
        # Stable compiler, unstable flags: allowed with RUSTC_BOOTSTRAP.
        export RUSTC_BOOTSTRAP=1
        if command -v rustup >/dev/null 2>&1 && rustup toolchain list 2>/dev/null | grep -q '^stable'; then
            CARGO=(cargo +stable)
            RUSTC=(rustc +stable)
        else
            CARGO=(cargo)
            RUSTC=(rustc)
        fi
    fi
    HOST="$("${RUSTC[@]}" -vV | sed -n 's/^host: //p')"
}

rustflags() {
    local flags=(
        -Cpasses=sancov-module
        -Cllvm-args=-sanitizer-coverage-level=4
        -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
        -Cllvm-args=-sanitizer-coverage-pc-table
        -Cllvm-args=-sanitizer-coverage-trace-compares
        --cfg fuzzing
        -Cdebug-assertions
        -Coverflow-checks
        -Cforce-frame-pointers
    )
    if [[ $1 == address ]]; then
        flags+=(-Zsanitizer=address)
    fi
    echo "${flags[*]}"
}

# build [TARGET]: sets BIN_DIR.
build() {
    pick_toolchain
    local sanitizer="${FUZZ_SANITIZER:-address}"
    local which=(--bins)
    [[ $# -gt 0 ]] && which=(--bin "$1")
    local attempt
    for attempt in "$sanitizer" none; do
        local target_dir="$FUZZ_DIR/target/$TOOLCHAIN-$attempt"
        echo "fuzz: building ${which[*]} with $TOOLCHAIN ($("${RUSTC[@]}" --version)), sanitizer $attempt" >&2
        if RUSTFLAGS="$(rustflags "$attempt")" "${CARGO[@]}" build --release --locked \
            --target "$HOST" --target-dir "$target_dir" "${which[@]}" >&2; then
            BIN_DIR="$target_dir/$HOST/release"
            SANITIZER=$attempt
            return 0
        fi
        if [[ $attempt == none || -n ${FUZZ_SANITIZER:-} ]]; then
            echo "fuzz: build failed" >&2
            return 1
        fi
        echo "fuzz: the $attempt sanitizer build failed on $TOOLCHAIN; retrying without a sanitizer" >&2
    done
}

# run_one TARGET SECONDS [args...]: prints a summary line, returns libFuzzer's status.
run_one() {
    local t=$1 secs=$2
    shift 2
    local work="${FUZZ_WORK_DIR:-$FUZZ_DIR/target/corpus}/$t" artifacts="$FUZZ_DIR/artifacts/$t"
    mkdir -p "$work" "$artifacts"
    local log
    if [[ -n ${FUZZ_LOG_DIR:-} ]]; then
        mkdir -p "$FUZZ_LOG_DIR"
        log="$FUZZ_LOG_DIR/$t.log"
    else
        log="$(mktemp)"
    fi
    local dict=()
    [[ -f $FUZZ_DIR/dict/$t.dict ]] && dict=(-dict="$FUZZ_DIR/dict/$t.dict")
    local status=0
    "$BIN_DIR/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "${dict[@]}" "$@" "$work" "$FUZZ_DIR/corpus/$t" \
        >"$log" 2>&1 || status=$?
    local last execs rate
    last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
    local cov ft corp
    cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
    ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
    corp="$(sed -n 's/.* corp: \([^ ]*\).*/\1/p' <<<"$last")"
    if [[ $status -eq 0 ]]; then
        printf 'fuzz: %-15s ok     %ss execs=%s exec/s=%s cov=%s ft=%s corpus=%s\n' \
            "$t" "$secs" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}"
    else
        printf 'fuzz: %-15s FAILED (status %s) execs=%s cov=%s ft=%s; artifacts in %s\n' \
            "$t" "$status" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$artifacts" >&2
        grep -E 'panicked|ERROR: |SUMMARY|Test unit written|ParseDictionaryFile' "$log" | head -n 20 >&2 ||
            tail -n 5 "$log" >&2
    fi
    [[ -z ${FUZZ_LOG_DIR:-} ]] && rm -f "$log"
    return "$status"
}

[[ $# -ge 1 ]] || usage
case $1 in
list)
    printf '%s\n' "${TARGETS[@]}"
    ;;
build)
    if [[ $# -ge 2 ]]; then is_target "$2" || usage; build "$2"; else build; fi
    echo "fuzz: binaries in $BIN_DIR (sanitizer $SANITIZER)" >&2
    ;;
all)
    [[ $# -ge 2 ]] || usage
    secs=$2
    shift 2
    build
    jobs_max="${FUZZ_JOBS:-1}"
    failed=0
    pids=()
    for t in "${TARGETS[@]}"; do
        while [[ $(jobs -rp | wc -l) -ge $jobs_max ]]; do
            wait -n || failed=1
        done
        run_one "$t" "$secs" "$@" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do
        wait "$pid" || failed=1
    done
    exit "$failed"
    ;;
*)
    is_target "$1" || { echo "fuzz: unknown target $1 (try: $0 list)" >&2; exit 2; }
    [[ $# -ge 2 ]] || usage
    t=$1 secs=$2
    shift 2
    build "$t"
    run_one "$t" "$secs" "$@" || exit 1
    ;;
esac
