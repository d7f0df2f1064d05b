// A marker in a loop fires on every passage: its call is inside the loop body.
// RUN: %clangxx -g -O0 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s

int total;

void add(int n) {
  for (int i = 0; i < n; ++i) {
    total += i; // interlace: add_step
  }
}

// The loop condition branches to the body, whose first instruction is the marker call; the
// body's latch branches back to the condition.
// CHECK-LABEL: define {{.*}}@_Z3addi(
// CHECK: br i1 %{{[0-9]+}}, label %[[BODY:[0-9]+]], label
// CHECK: {{^}}[[BODY]]:
// CHECK-NEXT: call void @__interlace_marker(
// CHECK: br label %{{[0-9]+}}, !dbg !{{[0-9]+}}, !llvm.loop
// CHECK-NOT: call void @__interlace_marker(
// CHECK: ret void
