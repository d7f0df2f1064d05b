// The search over a whole program's executions, in the server (the program's own process,
// before main): the same searches, shrinking stages, replay tokens and explanations as
// explore_interleavings (explore/src/explorer.cpp), with each execution starting from main's
// image (program_execution.hpp).
#pragma once

#include <string>

#include "program_execution.hpp"
#include "report.hpp"
#include "run_config.hpp"

namespace interlace::run {

// Runs the search the config asks for; never throws (a usage error is a report).
ProgramReport explore_program(const ProgramEntry &entry, const RunConfig &config);

} // namespace interlace::run
