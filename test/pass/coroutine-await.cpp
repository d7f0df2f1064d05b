// Every co_await of a user's coroutine gets a switch point, __interlace_await(site), between
// the awaiter's await_ready and its suspension; the initial and final suspends get none. A
// marker on a co_await's line fires once: not again when the coroutine resumes there, nor on
// its unwinding paths, nor in the await_suspend wrapper clang makes for the line.
// RUN: %clangxx -std=c++20 -g -O0 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s

#include <coroutine>

struct Task {
  struct promise_type {
    Task get_return_object() { return {}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() {}
  };
};

// await_suspend may throw: the intrinsic is then invoked, not called.
struct Ready {
  bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) const {}
  int await_resume() const noexcept { return 1; }
};

int total;

Task twice() {
  // interlace: first
  total += co_await Ready{};
  co_await std::suspend_always{};
}

// The sites: file, function, line and column of each co_await, kind INTERLACE_SITE_AWAIT (13).
// clang-format off
// CHECK-DAG: @interlace.await.site = private constant %interlace.site { ptr @{{[^,]+}}, ptr @{{[^,]+}}, i32 30, i32 12, i32 13, i32 0, ptr null }
// CHECK-DAG: @interlace.await.site.{{[0-9]+}} = private constant %interlace.site { ptr @{{[^,]+}}, ptr @{{[^,]+}}, i32 31, i32 3, i32 13, i32 0, ptr null }
// CHECK-LABEL: define {{.*}}@_Z5twicev(
// CHECK: call void @__interlace_marker(ptr @{{[^,]+}}, ptr @interlace.marker.site)
// CHECK: call {{.*}}@_ZNK5Ready11await_readyEv(
// CHECK-NEXT: call void @__interlace_await(ptr @interlace.await.site)
// CHECK-NEXT: br i1
// CHECK: call {{.*}}@_ZNKSt{{.*}}14suspend_always11await_readyEv(
// CHECK-NEXT: call void @__interlace_await(ptr @interlace.await.site.{{[0-9]+}})
// CHECK-NEXT: br i1
// CHECK-NOT: call void @__interlace_marker(
// CHECK-LABEL: define {{.*}}__await_suspend_wrapper__await
// CHECK-NOT: call void @__interlace_marker(
// CHECK: ret void
// clang-format on
