# Entry points for people: `make demo` and `make test` on a fresh Debian 12 machine.
# Both install missing Debian packages first (tools/deps.sh).

BUILD_DIR ?= build
BENCH_DIR ?= build-bench
JOBS ?= 2
MAKEFLAGS += --no-print-directory
CMAKE_COMPILERS := -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19

.PHONY: all deps configure build demo test bench clean

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

bench: deps
	@cmake -S . -B $(BENCH_DIR) $(CMAKE_COMPILERS) -DCMAKE_BUILD_TYPE=Release \
	  -DINTERLACE_BUILD_TESTS=OFF -DINTERLACE_BUILD_EXAMPLES=OFF -DINTERLACE_BUILD_BENCH=ON >/dev/null
	@cmake --build $(BENCH_DIR) -j$(JOBS) --target bench_figures >/dev/null
	@$(BENCH_DIR)/bin/bench_figures

clean:
	rm -rf $(BUILD_DIR) $(BENCH_DIR)
