# Entry points for people: `make demo` and `make test` on a fresh Debian 12 machine.
# Both install missing Debian packages first (tools/deps.sh).

BUILD_DIR ?= build
BENCH_DIR ?= build-bench
ASAN_DIR ?= build-asan
JOBS ?= 2
MAKEFLAGS += --no-print-directory
CMAKE_COMPILERS := -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19

.PHONY: all deps configure build demo test test-asan bench clean

all: build

deps:
	@sh tools/deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_COMPILERS) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

demo: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target quickstart
	@$(BUILD_DIR)/bin/quickstart

test: build
	@ctest --test-dir $(BUILD_DIR) -j$(JOBS) --output-on-failure

# Tests that cannot hold under ASan, each for its reason (the lit tests, the consumer projects
# and the third-party suite are not built there at all: test/CMakeLists.txt says why):
#  - ASan aborts a process that joins a thread it did not see created (the caller itself, a
#    detached thread, an executor's thread by its pthread_t), as it would without interlace:
ASAN_EXCLUDED := DeadlockTest.ThreadsJoiningEachOtherAreACycle|ThreadsTest.JoiningYourselfIsAnError
ASAN_EXCLUDED := $(ASAN_EXCLUDED)|ThreadsTest.JoiningADetachedThreadIsAnError
#  - it measures RSS, which ASan's quarantine and shadow memory grow by design:
ASAN_EXCLUDED := $(ASAN_EXCLUDED)|TeardownTest.TenThousandFailingExecutionsKeepThreadsAndMemoryFlat
#  - hand-written schedules and golden explanations that count the yield points of the
#    optimised, unsanitized code; ASan keeps loads the optimiser would remove:
ASAN_EXCLUDED := $(ASAN_EXCLUDED)|ExecutorTest.StepsTheStrategySaidItWouldRepeatAreNotAskedFor
ASAN_EXCLUDED := $(ASAN_EXCLUDED)|MutexTest.LockOrderInversionIsADeadlockThatNamesHoldersAndWaiters
ASAN_EXCLUDED := $(ASAN_EXCLUDED)|RwlockTest.LockOrderInversionWithSharedMutexesIsADeadlockWithItsCycle
ASAN_EXCLUDED := $(ASAN_EXCLUDED)|ExplanationGoldenTest.Deadlock
ASAN_EXCLUDED := $(ASAN_EXCLUDED)|ExplanationTest.ReplaysThatDisagreeSayWhereTheyDiverged

#  - the marker examples built at -O1 and -O2: under ASan the instrumented object is not the
#    same from one compile of the same source to the next (two of six clean builds placed a
#    marker after its line's first access, which changes the order the test pins); they run
#    unsanitized at every level and under ASan at -O0. Not understood yet: issue 13's note.
ASAN_EXCLUDED := $(ASAN_EXCLUDED)|O1\.MarkersTest\..*|O2\.MarkersTest\..*
ASAN_EXCLUDED := $(ASAN_EXCLUDED)|MarkerInterleavingsTest\.TheLostUpdateIsFoundAsAScheduleThatTraceExecutorReplays

#  - under a sanitizer, a thread a managed thread starts gets a worker of its own that ends
#    with it (rt/src/sanitizers.hpp), so the pool does not keep such workers:
ASAN_EXCLUDED := $(ASAN_EXCLUDED)|ThreadPoolTest.BigExecutionsInARowKeepTheirWorkersUntilASmallOneFollows

# The whole build (runtime, explore, tests; not the pass plugin) under ASan and UBSan.
test-asan: deps
	@cmake -S . -B $(ASAN_DIR) $(CMAKE_COMPILERS) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DINTERLACE_SANITIZE=address,undefined >/dev/null
	@cmake --build $(ASAN_DIR) -j$(JOBS)
	@ctest --test-dir $(ASAN_DIR) -j$(JOBS) --output-on-failure -E '^($(ASAN_EXCLUDED))$$'

# The performance figures (the runtime's, then the whole-program runner's), the bug-finding
# benchmark's table and the DPOR table (bench/README.md). Flags for bench_bugs go in BUGS_FLAGS,
# e.g. make bench BUGS_FLAGS="--searches pct,pos --seeds 5".
BUGS_FLAGS ?=
# bench_dpor's: --quick (the small sizes), --no-peers (without GenMC and Nidhugg).
DPOR_FLAGS ?=
bench: deps
	@cmake -S . -B $(BENCH_DIR) $(CMAKE_COMPILERS) -DCMAKE_BUILD_TYPE=Release \
	  -DINTERLACE_BUILD_TESTS=OFF -DINTERLACE_BUILD_EXAMPLES=OFF -DINTERLACE_BUILD_BENCH=ON >/dev/null
	@cmake --build $(BENCH_DIR) -j$(JOBS) --target bench_figures bench_bugs bench_dpor bench_programs >/dev/null
	@$(BENCH_DIR)/bin/bench_figures
	@$(BENCH_DIR)/bin/bench_programs
	@echo
	@$(BENCH_DIR)/bin/bench_bugs $(BUGS_FLAGS)
	@echo
	@$(BENCH_DIR)/bin/bench_dpor $(DPOR_FLAGS)

clean:
	rm -rf $(BUILD_DIR) $(BENCH_DIR) $(ASAN_DIR)
