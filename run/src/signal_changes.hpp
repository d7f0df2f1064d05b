// Which signal dispositions the process changed: this library interposes sigaction() and
// signal(), so that ProcessImage can put back only the dispositions an execution changed
// rather than read all 64 of them after each one (a system call each).
#pragma once

#include <csignal>
#include <cstdint>

namespace interlace::run {

// Bit n-1 set: signal n's disposition was set since the last clear_signal_changes().
std::uint64_t signal_changes();
void clear_signal_changes();

// glibc's sigaction, which marks nothing.
int real_sigaction(int signal, const struct sigaction *action, struct sigaction *previous);

} // namespace interlace::run
