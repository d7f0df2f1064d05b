// A coroutine's frame is heap memory, but most of it is the coroutine's alone: the resume and
// destroy pointers (written by the ramp and at the final suspend, read by handle.resume() and
// handle.destroy()), the suspend index, and the slots of locals whose address never leaves the
// coroutine. Those accesses get no yield. A local whose address is passed on, and the promise
// (which handle.promise() reaches), keep theirs.
// RUN: %clangxx -std=c++20 -g -O1 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clangxx -std=c++20 -g -O1 -fplugin=%plugin -fpass-plugin=%plugin -mllvm -interlace-skip-coroutine-frames=false -S -emit-llvm %s -o - | FileCheck %s --check-prefix=ALL

#include <coroutine>

struct Task {
  struct promise_type {
    Task get_return_object() { return {std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() {}
  };
  std::coroutine_handle<promise_type> handle;
};

struct IntTask {
  struct promise_type {
    int result = 0;
    IntTask get_return_object() {
      return {std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_value(int v) { result = v; }
    void unhandled_exception() {}
  };
  std::coroutine_handle<promise_type> handle;
};

void publish(int *);
void use(int);
int opaque();

// `kept` lives across the suspend, in the frame; no address of it is taken.
Task private_local() {
  int kept = opaque();
  co_await std::suspend_always{};
  use(kept);
}

// `lent`'s address goes to a function that may hand it to another task.
Task escaping_local() {
  int lent = 1;
  publish(&lent);
  co_await std::suspend_always{};
  lent += 2;
  use(lent);
}

// The promise's result, which the awaiting coroutine reads through the handle.
IntTask answer() {
  co_await std::suspend_always{};
  co_return 42;
}

void run(Task t) {
  t.handle.resume();
  t.handle.resume();
  t.handle.destroy();
}

// clang-format off
// The ramps: the resume and destroy pointers and the suspend index.
// CHECK-LABEL: define {{.*}} @_Z13private_localv(
// CHECK-NOT: call void @__interlace_{{read|write}}
// CHECK: store ptr @_Z13private_localv.resume,
// CHECK-NOT: call void @__interlace_{{read|write}}
// CHECK-LABEL: define {{.*}} @_Z14escaping_localv(
// CHECK-NOT: call void @__interlace_{{read|write}}
// CHECK: store ptr @_Z14escaping_localv.resume,
// CHECK-NOT: call void @__interlace_{{read|write}}(ptr {{%[0-9]+}}, i64 8,
// CHECK-LABEL: define {{.*}} @_Z6answerv(
// CHECK-NOT: call void @__interlace_{{read|write}}(ptr {{%[0-9]+}}, i64 8,
// handle.resume() and handle.destroy() load the function to call from the frame.
// CHECK-LABEL: define {{.*}} @_Z3run4Task(
// CHECK-NOT: call void @__interlace_{{read|write}}
// The suspend index and `kept`'s slot.
// CHECK-LABEL: define {{.*}} @_Z13private_localv.resume(
// CHECK-NOT: call void @__interlace_{{read|write}}
// CHECK-LABEL: define {{.*}} @_Z13private_localv.destroy(
// CHECK-LABEL: define {{.*}} @_Z14escaping_localv.resume(
// CHECK: call void @__interlace_write(ptr [[LENT:%[0-9]+]], i64 4,
// CHECK-NEXT: store i32 1, ptr [[LENT]]
// CHECK: call void @__interlace_read(ptr [[LENT]], i64 4,
// CHECK-NEXT: load i32, ptr [[LENT]]
// CHECK-NOT: call void @__interlace_write(ptr %0, i64 8,
// CHECK-LABEL: define {{.*}} @_Z14escaping_localv.destroy(
// CHECK-LABEL: define {{.*}} @_Z6answerv.resume(
// CHECK: call void @__interlace_write(ptr [[RESULT:%[0-9]+]], i64 4,
// CHECK-NEXT: store i32 42, ptr [[RESULT]]

// ALL-LABEL: define {{.*}} @_Z13private_localv(
// ALL: store ptr @_Z13private_localv.resume,
// ALL: call void @__interlace_write(ptr {{%[0-9]+}}, i64 8,
// ALL-NEXT: store ptr @_Z13private_localv.destroy,
// ALL-LABEL: define {{.*}} @_Z3run4Task(
// ALL: call void @__interlace_read(ptr %0, i64 8,
// ALL-LABEL: define {{.*}} @_Z13private_localv.resume(
// ALL: call void @__interlace_write(ptr [[KEPT:%[0-9]+]], i64 4,
// ALL: call void @__interlace_read(ptr {{%[0-9]+}}, i64 4,
// clang-format on
