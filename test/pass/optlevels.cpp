// The pass runs at the optimizer-last extension point, so it instruments at every level,
// including -O0 (where functions are optnone).
// RUN: %clangxx -g -O0 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clangxx -g -O1 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clangxx -g -O2 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clangxx -g -O3 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clangxx -O2 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s
#include <atomic>

int balance;
std::atomic<int> version;

// CHECK-LABEL: define {{.*}}@_Z8withdrawi(
// CHECK: call void @__interlace_read(ptr {{.*}}@balance
// CHECK: call void @__interlace_write(ptr {{.*}}@balance
// At -O0 the address of `version` goes through a local first, so match the size only.
// CHECK: call void @__interlace_rmw(ptr {{.*}}, i64 4,
void withdraw(int amount) {
  int current = balance;
  balance = current - amount;
  version.fetch_add(1);
}
