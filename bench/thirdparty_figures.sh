#!/bin/sh
# Per library of test/thirdparty/: schedules per second on a correct use (1 000 schedules, the
# test's own run) and schedules to the first failure of each racy use, the median of 10 seeds
# (INTERLACE_SEED=1..10). Reads the explanations the suites print; run after `make build`:
#   sh bench/thirdparty_figures.sh [build-dir]
set -eu
build=${1:-build}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for suite in concurrentqueue boost_lockfree boost_thread tbb abseil; do
  binary="$build/bin/${suite}_test"
  [ -x "$binary" ] || { echo "$suite: not built (its Debian package is missing)"; continue; }
  # Correct uses: the tests that must hold; gtest reports each one's time.
  "$binary" --gtest_filter='-*Found*:*BothLocks*:*Diagnostic*:*Teardown*' 2>&1 |
    awk -v suite="$suite" '/^\[       OK \]/ { ms = $(NF - 1); gsub(/\(/, "", ms);
      printf "%s  %-55s 1000 schedules in %5d ms: %6.0f schedules/s\n", suite, $4, ms,
             (ms > 0 ? 1000000 / ms : 0) }'
  # Racy uses: the first failure's schedule count under 10 seeds (a seed other than the
  # golden's makes the golden comparison fail, which prints the explanation).
  for test in $("$binary" --gtest_list_tests | awk '/^  .*(Found|BothLocks)/ { print $1 }'); do
    counts=""
    for seed in 1 2 3 4 5 6 7 8 9 10; do
      n=$(INTERLACE_SEED=$seed "$binary" --gtest_filter="*.$test" 2>&1 |
        sed -n 's/.* after \([0-9]*\) schedules\{0,1\} (seed.*/\1/p' | head -1)
      counts="$counts ${n:-none}"
    done
    med=$(echo "$counts" | tr ' ' '\n' | grep -E '^[0-9]+$' | median)
    printf "%s  %-55s first failure after %s schedules (median of:%s)\n" "$suite" "$test" \
      "${med:-none}" "$counts"
  done
done
