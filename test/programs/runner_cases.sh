#!/bin/sh
# The runner's behaviours beyond finding bugs: bad input, replay, jobs, shards, the compiler
# wrapper, standard input, cleanup. usage: runner_cases.sh CASE BIN_DIR SOURCE_DIR
case_name=$1 bin=$2 src=$3
interlace=$bin/interlace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "runner_cases.sh $case_name: $*" >&2; exit 1; }
# expect STATUS PATTERN command...: runs it, checks its exit status and that its output
# (stdout and stderr) contains PATTERN.
expect() {
  status=$1 pattern=$2
  shift 2
  "$@" >"$work/out" 2>&1
  got=$?
  cat "$work/out"
  [ "$got" = "$status" ] || fail "exit status $got, expected $status: $*"
  grep -q -- "$pattern" "$work/out" || fail "output lacks '$pattern': $*"
}
json_field() { sed -n "s/^  \"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$2"; }

case $case_name in
MissingProgram)
  expect 2 "No such file" "$interlace" run -- "$work/nothing" ;;
NotExecutable)
  touch "$work/data"
  expect 2 "not executable" "$interlace" run -- "$work/data" ;;
NotAProgram)
  printf 'just text' >"$work/text" && chmod +x "$work/text"
  expect 2 "not an ELF program" "$interlace" run -- "$work/text" ;;
Uninstrumented)
  expect 2 "not built with the interlace pass" "$interlace" run -- "$bin/runner_input_plain" ;;
UnknownOption)
  expect 2 "unknown option '--frobnicate'" "$interlace" run --frobnicate -- "$bin/runner_input_single_thread" ;;
NoProgram)
  expect 2 "no program given" "$interlace" run --seed 1 -- ;;
BadShard)
  expect 2 "not below the shard count" "$interlace" run --shard 2/2 -- "$bin/runner_input_single_thread" ;;
BadSearch)
  expect 2 "INTERLACE_SEARCH\|--search" "$interlace" run --search nonsense -- "$bin/runner_input_single_thread" ;;
OtherAbiVersion)
  expect 2 "instrumented for runtime ABI version 999" "$interlace" run -- "$bin/runner_input_other_abi" ;;
SingleThread)
  expect 0 "started no thread" "$interlace" run --seed 1 -- "$bin/runner_input_single_thread" ;;
Execs)
  expect 2 "exec" "$interlace" run --seed 1 -- "$bin/runner_input_execs" ;;
StdinFromFile)
  echo 7 >"$work/seven"
  expect 0 "No failure" "$interlace" run --seed 1 --max-attempts 20 --fail-on-exit-code --stdin "$work/seven" -- "$bin/runner_input_reads_stdin" ;;
StdinIsEmptyByDefault)
  expect 1 "main returned 1" "$interlace" run --seed 1 --max-attempts 20 --fail-on-exit-code -- "$bin/runner_input_reads_stdin" ;;
ReplayReproducesTheFailure)
  "$interlace" run --seed 1 --json "$work/found.json" -- "$bin/program_lost_update_buggy" >/dev/null
  token=$(json_field token "$work/found.json")
  [ -n "$token" ] || fail "no token in the JSON"
  expect 1 "replayed from its token" "$interlace" run --replay "$token" -- "$bin/program_lost_update_buggy"
  INTERLACE_REPLAY=$token expect 1 "replayed from its token" "$interlace" run -- "$bin/program_lost_update_buggy"
  expect 2 "different build" "$interlace" run --replay "$token" -- "$bin/program_check_then_act_buggy" ;;
JobsFindTheBug)
  expect 1 "failed an assertion" "$interlace" run --seed 1 --jobs 2 -- "$bin/program_lost_update_buggy" ;;
JobsShareTheAttempts)
  expect 0 "2 jobs ran 200 executions" "$interlace" run --seed 1 --jobs 2 --max-attempts 200 -- "$bin/program_lost_update_fixed" ;;
ShardRunsItsShare)
  expect 0 "No failure in 100 schedules" "$interlace" run --seed 1 --shard 1/2 --max-attempts 200 --json "$work/shard.json" -- "$bin/program_lost_update_fixed"
  [ "$(json_field executions "$work/shard.json")" = 100 ] || fail "the JSON counts $(json_field executions "$work/shard.json") executions, not the shard's 100"
  GTEST_SHARD_INDEX=0 GTEST_TOTAL_SHARDS=2 expect 0 "No failure in 100 schedules" "$interlace" run --seed 1 --max-attempts 200 -- "$bin/program_lost_update_fixed"
  TEST_SHARD_INDEX=1 TEST_TOTAL_SHARDS=4 expect 0 "No failure in 50 schedules" "$interlace" run --seed 1 --max-attempts 200 -- "$bin/program_lost_update_fixed" ;;
JsonHoldsVerdict)
  "$interlace" run --seed 1 --max-attempts 10 --json "$work/r.json" -- "$bin/program_lost_update_fixed" >/dev/null || fail "exit status"
  [ "$(json_field verdict "$work/r.json")" = holds ] || fail "verdict is not holds"
  [ "$(json_field executions "$work/r.json")" = 10 ] || fail "executions is not 10" ;;
WrapperBuildsACProgram)
  "$bin/interlace-cc" -O1 -o "$work/lost_update" "$src/lost_update.c" || fail "interlace-cc failed"
  "$work/lost_update" >/dev/null || fail "the program does not run on its own"
  expect 1 "failed an assertion" "$interlace" run --seed 1 -- "$work/lost_update"
  "$bin/interlace-c++" -O1 -o "$work/atomic_split" "$src/atomic_split.cpp" || fail "interlace-c++ failed"
  expect 1 "failed an assertion" "$interlace" run --seed 1 -- "$work/atomic_split" ;;
WrapperBuildsASharedLibrary)
  cc=$bin/interlace-cc
  "$cc" -O1 -fPIC -shared -o "$work/libcounter.so" "$src/inputs/counter_library.c" || fail "the library"
  "$cc" -O1 -c -o "$work/uses_library.o" "$src/inputs/uses_library.c" || fail "compiling the program"
  "$cc" -o "$work/uses_library" "$work/uses_library.o" -L"$work" -lcounter "-Wl,-rpath,$work" || fail "linking"
  expect 1 "shared_counter == 2" "$interlace" run --seed 1 -- "$work/uses_library" ;;
NothingLeftRunning)
  expect 1 "failed an assertion" "$interlace" run --seed 1 --max-attempts 50 -- "$bin/runner_input_leaves_children" "$work/pids"
  [ -s "$work/pids" ] || fail "the program recorded no child"
  while read -r pid; do
    if kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" | cut -c1)" != Z ]; then
      fail "process $pid is still running"
    fi
  done <"$work/pids" ;;
TimeLimitEndsTheSearch)
  start=$(date +%s)
  expect 0 "stopped at its timeout" "$interlace" run --seed 1 --max-attempts 1000000 --time-limit 1 -- "$bin/program_lost_update_fixed"
  [ $(($(date +%s) - start)) -le 20 ] || fail "the run outlasted its time limit by far" ;;
InterruptStopsTheRun)
  # The controller sleeps between looks at its jobs: SIGTERM must still end the run at once.
  start=$(date +%s)
  "$interlace" run --seed 1 --max-attempts 1000000 --time-limit 60 -- "$bin/program_lost_update_fixed" >"$work/out" 2>&1 &
  run=$!
  sleep 1
  kill -TERM "$run"
  wait "$run"
  got=$?
  cat "$work/out"
  [ "$got" = 2 ] || fail "exit status $got, expected 2"
  grep -q "interrupted" "$work/out" || fail "output lacks 'interrupted'"
  [ $(($(date +%s) - start)) -le 20 ] || fail "the run outlasted SIGTERM by far" ;;
BlockingSystemCallIsAStall)
  expect 1 "blocked in the read() system call" "$interlace" run --seed 1 --stall-timeout 1 --json "$work/stall.json" -- "$bin/runner_input_blocks_forever"
  [ "$(json_field kind "$work/stall.json")" = stall ] || fail "the kind is not stall" ;;
EachExecutionStartsFromMainsImage)
  for isolation in rollback fork; do
    expect 0 "No failure in 300 schedules" "$interlace" run --seed 1 --max-attempts 300 --isolation $isolation -- "$bin/runner_input_fresh_image"
    if grep -q "again" "$work/out"; then fail "--isolation $isolation fell back to forking"; fi
  done ;;
AThreadStartedBeforeMainIsLeftAlone)
  expect 1 "failed an assertion" "$interlace" run --seed 1 -- "$bin/runner_input_thread_before_main"
  # Forked from the first execution on, not run again after a rollback failed.
  if grep -q "again" "$work/out"; then fail "the search ran twice"; fi ;;
WhatCannotBeRolledBackRunsForked)
  expect 1 "running the search again with a process per execution" "$interlace" run --seed 1 -- "$bin/runner_input_closes_descriptors"
  grep -q "failed an assertion" "$work/out" || fail "the fallback did not find the bug" ;;
*)
  fail "unknown case" ;;
esac
