// A counterexample as files to look at: Chrome trace-event JSON (Perfetto UI and
// chrome://tracing open it) and a self-contained SVG swimlane picture.
#pragma once

#include <string>

#include "trace_model.hpp"

namespace interlace::detail {

// {"traceEvents": [...]}: a track per thread, a slice per trace line, and a flow arrow from
// each access to the access of another thread that conflicts with it.
std::string chrome_trace_json(const TraceModel &model, int threads, const std::string &title);

// A column per thread, time downwards, one box per trace line, conflicts joined by arrows.
std::string swimlane_svg(const TraceModel &model, int threads, const std::string &title);

// Writes the model to `path`: SVG when it ends in ".svg", Chrome trace JSON otherwise.
// Returns an error message, or "" on success.
std::string write_trace_file(const std::string &path, const TraceModel &model, int threads,
                             const std::string &title);

} // namespace interlace::detail
