#!/usr/bin/env bash
# Builds the libFuzzer harness (Sources/kiemdiem-fuzz) and runs each target for a bounded time
# on a copy of its seed corpus (fuzz/corpus/TARGET), so the repository is not modified.
#   FUZZ_SECONDS  seconds per target (default 60)
#   FUZZ_TARGETS  which targets (default "request csv yaml")
# Extra arguments are passed to libFuzzer. Exits non-zero if any target crashed, leaked, timed
# out or ran out of memory; its input and log are kept and their paths printed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-request csv yaml}
# A scratch path of its own: the instrumented objects must not mix with a normal build.
build=(swift build --scratch-path .build-fuzz -c release --product kiemdiem-fuzz
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xcc -fsanitize=fuzzer-no-link,address)
echo "building: ${build[*]}" >&2
"${build[@]}" >&2
bin="$("${build[@]}" --show-bin-path)/kiemdiem-fuzz"

# The first frames of the crash's stack trace, without libFuzzer's and libc's own, demangled.
stack() {
  grep -E '^ +#[0-9]+ 0x' "$1" | grep -v -E 'fuzzer::|__sanitizer_|libc\.so' | head -10 |
    swift demangle --simplified | sed 's/^ */    /'
}

work=$(mktemp -d -t kiemdiem-fuzz.XXXXXX)
failed=0
summary=()
for t in $targets; do
  [ -d "fuzz/corpus/$t" ] || { echo "no seed corpus fuzz/corpus/$t" >&2; exit 2; }
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  cp "fuzz/corpus/$t"/* "$work/$t/corpus/"
  log="$work/$t/fuzz.log"
  echo "fuzzing $t for ${seconds}s..." >&2
  rc=0
  # SWIFT_BACKTRACE=enable=no: the Swift runtime's crash handler would otherwise take the
  # signal before libFuzzer and no crash input would be saved.
  KIEMDIEM_FUZZ_TARGET=$t SWIFT_BACKTRACE=enable=no "$bin" "$work/$t/corpus" \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$work/$t/artifacts/" "$@" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$({ grep -oE 'cov: [0-9]+' "$log" || true; } | tail -1 | cut -d' ' -f2)
  corpus=$(find "$work/$t/corpus" -type f | wc -l)
  found=$(find "$work/$t/artifacts" -type f | sort)
  line="$t: ${execs:-?} executions in ${seconds}s, coverage ${cov:-?} edges, corpus $corpus inputs"
  if [ -n "$found" ] || [ "$rc" -ne 0 ]; then
    failed=1
    line+=", FAILED (exit $rc)"
    for f in $found; do
      line+=$'\n'"  $(basename "$f") ($(wc -c <"$f") bytes): $f"
      line+=$'\n'"    hex (first 256 bytes): $(head -c 256 "$f" | od -An -v -tx1 | tr -d ' \n')"
    done
    line+=$'\n'"  $(grep -m1 -E 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|Fatal error' "$log" || true)"
    line+=$'\n'"$(stack "$log" || true)"
    line+=$'\n'"  log: $log"
  else
    line+=", no crash"
  fi
  summary+=("$line")
done

echo
printf '%s\n' "${summary[@]}"
if [ "$failed" -eq 0 ]; then rm -rf "$work"; else echo "kept: $work" >&2; fi
exit "$failed"
