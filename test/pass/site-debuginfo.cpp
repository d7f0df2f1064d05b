// A site records the absolute file, the qualified function, the line and the column of the
// access, and its kind, from debug info.
// RUN: %clangxx -g -O1 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s

struct Counter {
  int value = 0;
  void increment();
};

void Counter::increment() {
  int t = value;
  value = t + 1;
}

// (Which global holds a string varies: identical constants may be merged.)
// CHECK-DAG: c"/{{.*}}site-debuginfo.cpp\00"
// CHECK-DAG: c"Counter::increment\00"
// The read at line 11 column 11 (kind 0) and the write at line 12 column 9 (kind 1).
// CHECK-DAG: i32 11, i32 11, i32 0, i32 0
// CHECK-DAG: i32 12, i32 9, i32 1, i32 0
