// This process's state as it was before an execution, put back after it: what lets the server
// run an execution in its own process and still start every execution from main's image.
//
// capture() saves the process: every private writable mapping's pages (globals, heap, thread
// stacks and their TLS), the main stack from the caller's frame up (the strategy an execution
// changes may live there, and so do main's arguments and environment), the mappings that
// exist, the open file descriptors, the working directory, the umask and the signal
// dispositions.
// roll_back() puts all of that back: it unmaps mappings made since, moves the heap's end back,
// copies back each saved page that differs and zeroes each page that was never written,
// closes descriptors opened since, and restores the directory, the umask and the
// dispositions an execution changed. Both compare before they copy, so their cost is the
// pages an execution touched plus a read of each saved page.
//
// Neither allocates from the heap they save and restore: their tables and the saved pages live
// in one reserved mapping of their own, which they leave out. Descriptors are listed by the
// first capture() only: roll_back() leaves exactly those open, so a descriptor the caller
// opens between a roll_back() and the next capture() and keeps open is closed by the next
// roll_back().
//
// What cannot be put back makes roll_back() fail with the cause: a mapping that existed at
// capture was unmapped or made read-only, a descriptor that existed was closed, or a thread
// other than the caller is still alive. The process is then in the execution's state.
#pragma once

#include <cstddef>
#include <cstdint>

namespace interlace::run {

class ProcessImage {
public:
  // Throws std::bad_alloc when the address space for the saved image cannot be reserved.
  ProcessImage();
  ~ProcessImage();
  ProcessImage(const ProcessImage &) = delete;
  ProcessImage &operator=(const ProcessImage &) = delete;

  // Saves the process as it is now. `frames`: the lowest address of the main stack to save
  // and restore, above the frames of the caller of capture() and roll_back(), which must be
  // the same function's (__builtin_frame_address(0) there). Returns null, or why the process
  // cannot be saved.
  const char *capture(const void *frames);
  // Puts back what capture() saved. Returns null, or why it could not (see above). Call it
  // with no other thread running.
  const char *roll_back();

  struct Tables; // in mappings of its own (process_image.cpp)

private:
  Tables *tables_;
};

} // namespace interlace::run
