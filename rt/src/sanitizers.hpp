// What the runtime must do differently when the program carries a sanitizer runtime.
#pragma once

namespace interlace::rt::detail {

// True when a sanitizer whose pthread_create wraps the start routine is in the process
// (ASan, LSan, HWASan, MSan). Its interceptors come before ours, so:
//  - the start routine we get is the sanitizer's, which registers the thread with the
//    sanitizer once per OS thread (a pooled worker cannot run a second one) and is
//    unregistered only when the OS thread ends: such a thread gets a worker of its own that
//    ends with it;
//  - the sanitizer holds an internal lock while it calls our pthread_create and
//    pthread_detach, which other threads' creation, start, detach, join and end also take:
//    those two calls must not yield to another thread.
bool sanitizer_wraps_thread_starts() noexcept;

} // namespace interlace::rt::detail
