#!/usr/bin/env bash
# Extra CI checks beyond the README's test command (which .ci/run runs first):
#   scripts/check.sh sanitize   build everything with ASan + UBSan and run the whole suite
#   scripts/check.sh fuzz [S]   build the libFuzzer targets with clang and run each for S seconds
#                               (default 60): CSV reader, command line, picture loader; any
#                               crash or sanitizer report fails
#   scripts/check.sh qemu       the default build (build/) under qemu-x86_64 on CPUs without
#                               AVX-512 (Haswell) and without AVX (Nehalem): a subset of the core
#                               tests (dispatcher, kernel tables, plans, objective, golden
#                               trajectory, TeamWork), and a short headless run whose losses must
#                               match a native run forced to the same kernel to float rounding
#   scripts/check.sh arm64      cross-build the core and its tests for arm64 (g++-aarch64-linux-gnu,
#                               googletest from /usr/src) and run them under qemu-aarch64
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-2}
sanitize_flags="-O1 -g1 -DNDEBUG"

case "${1:-}" in
  sanitize)
    # -O1 -g1: line tables are all a sanitizer report reads, and Eigen's templates compile about
    # three times faster than at -O2 -g, which decides how long CI takes.
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLORALAB_SANITIZE=ON \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$sanitize_flags" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$sanitize_flags" >/dev/null
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
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$sanitize_flags" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$sanitize_flags" \
      -DLORALAB_FUZZ=ON -DLORALAB_NATIVE=OFF -DLORALAB_BUILD_TESTS=OFF >/dev/null
    cmake --build build-fuzz -j"$jobs" --target fuzz_csv fuzz_cli fuzz_picture fuzz_safetensors \
      make_picture_corpus make_safetensors_seeds
    for target in csv cli picture safetensors; do
      work=$(mktemp -d)
      if [ "$target" = picture ]; then
        build-fuzz/tests/fuzz/make_picture_corpus "$work"  # tiny real PNG/JPEG files, made here
      elif [ "$target" = safetensors ]; then
        build-fuzz/tests/fuzz/make_safetensors_seeds "$work"  # seeds built by the project's writer
      else
        cp tests/fuzz/corpus_"$target"/* "$work"/
      fi
      echo "fuzz_$target: ${seconds}s"
      # A fixed seed: a CI run repeats the run it was checked with (on a faster machine it goes
      # further along the same path) instead of failing at random on a new finding.
      status=0
      ASAN_OPTIONS=detect_leaks=1 build-fuzz/tests/fuzz/fuzz_"$target" -max_total_time="$seconds" \
        -max_len=4096 -timeout=10 -print_final_stats=1 -seed=1 -artifact_prefix=build-fuzz/ "$work" >"$work.log" 2>&1 || status=$?
      tail -n 25 "$work.log"
      rm -rf "$work" "$work.log"
      [ "$status" -eq 0 ] || { echo "fuzz_$target failed (exit $status)"; exit 1; }
    done
    ;;
  qemu)
    # The build the README's commands make; OPENBLAS_CORETYPE would force kernels the emulated
    # CPU lacks. The core tests under emulation run 20-50 times slower than natively: the subset
    # below covers the dispatcher, every kernel table the CPU runs, the plans, the pass over T,
    # the objective (but its 10-second sweep over teams) and the golden trajectory.
    bin=build/app/loralab
    [ -x "$bin" ] || { echo "check.sh qemu: build first (cmake -S . -B build && cmake --build build)" >&2; exit 2; }
    unset OPENBLAS_CORETYPE
    # (/proc/cpuinfo under qemu-user is the host's: the test comparing with it stays native.)
    tests=("test_isa:-Isa.SupportAgreesWithTheKernelsReadingOfTheCpu" "test_kernels:*"
           "test_fit_plan:*" "test_objective:-Objective.GramPathMatchesNaiveOnEveryTeam"
           "test_trainer_golden:*"
           "test_thin_products:ThinProducts.TeamWork*")
    headless=(--headless --d 96 --k 80 --rank 8 --steps 25 --seed 3 --threads 2 --json)
    emulate() {  # qemu-x86_64 -cpu MODEL ..., without its warnings about host-only features
      local cpu=$1
      shift
      qemu-x86_64 -cpu "$cpu" "$@" 2> >(grep -v "TCG doesn't support requested feature" >&2)
    }
    for model in Haswell:avx2 Nehalem:generic; do
      cpu=${model%%:*} kernel=${model##*:}
      echo "== qemu-x86_64 -cpu $cpu (kernel $kernel)"
      for t in "${tests[@]}"; do
        echo "-- ${t%%:*}"
        emulate "$cpu" build/tests/core/"${t%%:*}" --gtest_brief=1 \
          --gtest_filter="${t#*:}" | tail -n 2
      done
      emulated=$(emulate "$cpu" "$bin" "${headless[@]}" 2>/dev/null)
      native=$(LORALAB_KERNEL=$kernel "$bin" "${headless[@]}" 2>/dev/null)
      python3 - "$emulated" "$native" "$kernel" <<'PY'
import json, sys
emulated, native, kernel = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
worst = 0.0
for key in ("initial_loss", "final_loss", "floor"):
    a, b = emulated[key], native[key]
    worst = max(worst, abs(a - b) / max(abs(b), 1e-30))
    print(f"  {key}: emulated {a:.9g}, native with LORALAB_KERNEL={kernel} {b:.9g}")
print(f"  largest relative difference {worst:.2g}")
sys.exit(0 if worst < 1e-5 else 1)
PY
    done
    ;;
  arm64)
    # Eigen is headers for every architecture; googletest is built from Debian's sources; the
    # kernels are the generic ones (no OpenBLAS: the layer's products go to Eigen).
    command -v aarch64-linux-gnu-g++ >/dev/null ||
      { echo "check.sh arm64: needs g++-aarch64-linux-gnu (scripts/setup.sh installs it)" >&2; exit 2; }
    root=build-arm64
    mkdir -p "$root"
    cat >"$root/toolchain.cmake" <<'TC'
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;/usr/aarch64-linux-gnu)
TC
    cmake -S /usr/src/googletest -B "$root/googletest" -DCMAKE_TOOLCHAIN_FILE="$PWD/$root/toolchain.cmake" \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PWD/$root/gtest" -DBUILD_GMOCK=OFF >/dev/null
    cmake --build "$root/googletest" -j"$jobs" --target install >/dev/null
    cmake -S . -B "$root/core" -DCMAKE_TOOLCHAIN_FILE="$PWD/$root/toolchain.cmake" \
      -DCMAKE_PREFIX_PATH="$PWD/$root/gtest" -DLORALAB_BUILD_APP=OFF -DLORALAB_BLAS=OFF >/dev/null
    cmake --build "$root/core" -j"$jobs"
    file "$root"/core/tests/core/test_kernels | grep -q aarch64 || { echo "not an arm64 build" >&2; exit 1; }
    # qemu-user does not pass madvise(MADV_HUGEPAGE) on to the host: that test needs a real kernel.
    ctest --test-dir "$root/core" -j"$jobs" --output-on-failure \
      -E 'HugePages.LargeMatrixIsBackedByHugePagesWhereTheKernelOffersThem'
    ;;
  *)
    echo "usage: scripts/check.sh sanitize | fuzz [SECONDS] | qemu | arm64" >&2
    exit 2
    ;;
esac
