// A `// interlace: NAME` comment at the end of a line gates that line: the marker call comes
// before the line's first instruction, at every optimisation level.
// RUN: %clangxx -g -O0 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clangxx -g -O1 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clangxx -g -O2 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s

int balance = 100;

void transfer(int amount) {
  int current = balance; // interlace: read_balance
  int next = current + amount;
  balance = next; // interlace: write_balance
}

// CHECK-DAG: [[READ:@interlace.marker.str[.0-9]*]] = private unnamed_addr constant [13 x i8] c"read_balance\00"
// CHECK-DAG: [[WRITE:@interlace.marker.str[.0-9]*]] = private unnamed_addr constant [14 x i8] c"write_balance\00"
// CHECK-LABEL: define {{.*}}@_Z8transferi(
// CHECK: call void @__interlace_marker(ptr {{.*}}[[READ]], ptr
// CHECK: call void @__interlace_read(ptr {{.*}}@balance
// CHECK: call void @__interlace_marker(ptr {{.*}}[[WRITE]], ptr
// CHECK: call void @__interlace_write(ptr {{.*}}@balance
// CHECK: declare void @__interlace_marker(ptr, ptr)
