#!/usr/bin/env bash
# Extra CI checks beyond the README's test command (which .ci/run runs first):
#   scripts/check.sh sanitize   build everything with ASan + UBSan and run the whole suite
#   scripts/check.sh fuzz [S]   build the libFuzzer targets with clang and run each for S seconds
#                               (default 60); any crash or sanitizer report fails
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-2}

case "${1:-}" in
  sanitize)
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLORALAB_SANITIZE=ON >/dev/null
    cmake --build build-asan -j"$jobs"
    # Mesa's software GL driver keeps allocations alive at exit (in a module it has already
    # unloaded, so no suppression can name it): leak checking is for our code, so whatever opens
    # GL (label gui, and the CLI's headless screenshots) runs with it off; the rest with it on.
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    renders='Screenshot'
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 ctest --test-dir build-asan -j"$jobs" --output-on-failure -LE gui -E "$renders"
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 ctest --test-dir build-asan -j"$jobs" --output-on-failure -L gui
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 ctest --test-dir build-asan -j"$jobs" --output-on-failure -LE gui -R "$renders"
    ;;
  fuzz)
    seconds=${2:-60}
    CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DLORALAB_FUZZ=ON -DLORALAB_NATIVE=OFF -DLORALAB_BUILD_TESTS=OFF >/dev/null
    cmake --build build-fuzz -j"$jobs" --target fuzz_csv fuzz_cli fuzz_safetensors make_safetensors_seeds
    for target in csv cli safetensors; do
      work=$(mktemp -d)
      if [ "$target" = safetensors ]; then
        build-fuzz/tests/fuzz/make_safetensors_seeds "$work"  # seeds built by the project's writer
      else
        cp tests/fuzz/corpus_"$target"/* "$work"/
      fi
      echo "fuzz_$target: ${seconds}s"
      status=0
      ASAN_OPTIONS=detect_leaks=1 build-fuzz/tests/fuzz/fuzz_"$target" -max_total_time="$seconds" \
        -max_len=4096 -timeout=10 -print_final_stats=1 "$work" >"$work.log" 2>&1 || status=$?
      tail -n 25 "$work.log"
      rm -rf "$work" "$work.log"
      [ "$status" -eq 0 ] || { echo "fuzz_$target failed (exit $status)"; exit 1; }
    done
    ;;
  *)
    echo "usage: scripts/check.sh sanitize | fuzz [SECONDS]" >&2
    exit 2
    ;;
esac
