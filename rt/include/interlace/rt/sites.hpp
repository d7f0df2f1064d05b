// What the runtime knows about the instrumented code linked into this process.
#pragma once

#include <cstddef>
#include <cstdint>

namespace interlace::rt {

// Modules (translation units) compiled with the interlace pass that registered themselves.
std::size_t instrumented_module_count();

// A hash of every registered site (file, line, column, kind, function): identifies this
// build of the instrumented code, so a replay token from another build can be refused.
std::uint64_t build_fingerprint();

} // namespace interlace::rt
