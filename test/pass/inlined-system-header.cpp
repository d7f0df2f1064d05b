// An access inlined from a system header (here std::atomic) is attributed to the user's line
// it was inlined into, not to atomic_base.h.
// RUN: %clangxx -g -O2 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s
#include <atomic>

std::atomic<int> hits{0};

void record() {
  hits.fetch_add(1);
}

// CHECK-NOT: atomic_base.h
// CHECK-DAG: c"/{{.*}}inlined-system-header.cpp\00"
// CHECK-DAG: c"record\00"
// The rmw (kind 4) at line 9, column 8.
// CHECK-DAG: i32 9, i32 8, i32 4, i32 0
