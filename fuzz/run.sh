#!/usr/bin/env bash
# Fuzzes ipart's CSV import path and mapping parser with AFL++ (cargo-afl).
#
#   fuzz/run.sh SECONDS [TARGET]
#
# TARGET is `import` or `mapping`; without it both run, SECONDS each, one
# after the other (one afl-fuzz at a time: one core). Installs cargo-afl and
# builds AFL++ when missing, builds the targets, seeds afl-fuzz from the
# committed corpus and crash files, runs it, then minimises what it found
# (afl-cmin) into fuzz/corpus/TARGET, copies crashes and hangs to
# fuzz/crashes/TARGET and prints a summary. Work files go to fuzz/out/.
set -euo pipefail

usage() {
    echo "usage: fuzz/run.sh SECONDS [import|mapping]" >&2
    exit 2
}
[[ $# -ge 1 && $# -le 2 && $1 =~ ^[0-9]+$ && $1 -gt 0 ]] || usage
seconds=$1
targets=(import mapping)
if [[ $# -eq 2 ]]; then
    [[ $2 == import || $2 == mapping ]] || usage
    targets=("$2")
fi

fuzz=$(cd "$(dirname "$0")" && pwd)
cd "$fuzz"

if ! cargo afl --version >/dev/null 2>&1; then
    cargo install cargo-afl --locked
fi
# Builds AFL++ once per toolchain (it says so and fails when it already has).
if ! built=$(cargo afl config --build 2>&1) && ! grep -q "already built" <<<"$built"; then
    echo "$built" >&2
    exit 1
fi
cargo afl build --release --locked
# Where cargo-afl keeps AFL++'s tools for this toolchain.
rustc_id=$(rustc -V | sed -E 's/^rustc ([^ ]+) \(([0-9a-f]{7}).*/\1-\2/')
afl_bin=$(find "${XDG_DATA_HOME:-$HOME/.local/share}/afl.rs/rustc-$rustc_id" -path '*/afl/bin/afl-cmin.bash' 2>/dev/null |
    head -n 1 | xargs -r dirname)
[[ -n $afl_bin ]] || {
    echo "cannot find AFL++'s afl-cmin.bash for rustc $rustc_id" >&2
    exit 1
}

# No CPU governor or core-dump handler to wait for here, and a screen-less
# log for nohup; let the scheduler place the one fuzzer beside other work.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_FAST_CAL=1

stat_of() { sed -n "s/^$2 *: //p" "$1" | head -n 1; }

for target in "${targets[@]}"; do
    out=$fuzz/out/$target
    rm -rf "$out"
    mkdir -p "$out/seeds" "$out/tmp" "$fuzz/corpus/$target" "$fuzz/crashes/$target"
    cp "$fuzz/corpus/$target"/* "$out/seeds/"
    find "$fuzz/crashes/$target" -type f ! -name README.md -exec cp {} "$out/seeds/" \;
    # The harness's registries live in memory-backed storage where there is some.
    tmp=$out/tmp
    [[ -d /dev/shm && -w /dev/shm ]] && tmp=$(mktemp -d /dev/shm/ipart-fuzz.XXXXXX)
    binary=$fuzz/target/release/$target

    echo "== fuzzing $target for $seconds s (log: $out/afl.log)"
    started=$(date -u +%FT%TZ)
    # -t: an input that takes over 2 s is a hang; -V: stop after SECONDS.
    TMPDIR=$tmp cargo afl fuzz -i "$out/seeds" -o "$out/afl" -x "$fuzz/dict/$target.dict" \
        -t 2000 -m none -V "$seconds" -- "$binary" >"$out/afl.log" 2>&1 || {
        echo "afl-fuzz failed; the end of its log:" >&2
        tail -n 30 "$out/afl.log" >&2
        exit 1
    }
    stats=$out/afl/default/fuzzer_stats

    # Keep only the queue entries that add coverage beyond the committed
    # corpus: minimise corpus + queue together, add what is new.
    mkdir -p "$out/all" "$out/min"
    cp "$fuzz/corpus/$target"/* "$out/all/"
    for f in "$out/afl/default/queue"/id:*; do
        [[ -f $f ]] && cp "$f" "$out/all/queue-$(sha1sum "$f" | cut -c1-16)"
    done
    # afl-cmin.bash: the Python afl-cmin that `cargo afl cmin` runs saw no
    # coverage at all from the mapping target. -e: by edges, not hit counts,
    # or thousands of files are kept.
    TMPDIR=$tmp AFL_PATH=$afl_bin "$afl_bin/afl-cmin.bash" -e -i "$out/all" -o "$out/min" -t 5000 -m none -- "$binary" \
        >"$out/cmin.log" 2>&1 || {
        echo "afl-cmin failed; the end of its log:" >&2
        tail -n 20 "$out/cmin.log" >&2
        exit 1
    }
    known=$(find "$fuzz/corpus/$target" "$fuzz/crashes/$target" -type f -exec sha1sum {} + | cut -c1-40)
    added=0
    for f in "$out/min"/queue-*; do
        [[ -f $f ]] || continue
        # Large finds would bloat the repository; afl-fuzz finds them again from the rest.
        [[ $(wc -c <"$f") -le 4096 ]] || continue
        sum=$(sha1sum "$f" | cut -c1-40)
        grep -q "$sum" <<<"$known" && continue
        cp "$f" "$fuzz/corpus/$target/found-${sum:0:16}"
        added=$((added + 1))
    done

    found=0
    for kind in crash hang; do
        for f in "$out/afl/default/${kind}es"/id:* "$out/afl/default/${kind}s"/id:*; do
            [[ -f $f ]] || continue
            cp "$f" "$fuzz/crashes/$target/$kind-$(sha1sum "$f" | cut -c1-16)"
            found=$((found + 1))
        done
    done
    [[ $tmp == /dev/shm/* ]] && rm -rf "$tmp"

    echo "== $target: started $started, ran $(stat_of "$stats" run_time) s"
    echo "   execs:   $(stat_of "$stats" execs_done) ($(stat_of "$stats" execs_per_sec)/s)"
    echo "   paths:   $(stat_of "$stats" corpus_count) in the queue, $(stat_of "$stats" corpus_found) found, coverage $(stat_of "$stats" bitmap_cvg)"
    echo "   crashes: $(stat_of "$stats" saved_crashes), hangs: $(stat_of "$stats" saved_hangs)"
    echo "   corpus:  $added new minimised entries in fuzz/corpus/$target ($(find "$fuzz/corpus/$target" -type f | wc -l) files, $(cat "$fuzz/corpus/$target"/* | wc -c) bytes)"
    if [[ $found -gt 0 ]]; then
        echo "   $found crash/hang inputs copied to fuzz/crashes/$target: fix them, then cargo test --test fuzz_corpus"
    fi
done
