// Calls that allocate (operator new, malloc, calloc, realloc) are followed by a hook that
// tells the runtime the address, the size and the site, so reports can name heap objects.
// RUN: %clangxx -g -O1 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s
#include <cstdlib>

struct Node {
  int value;
  Node *next;
};

// CHECK-LABEL: define {{.*}}@_Z4makev(
// CHECK: [[NODE:%.*]] = {{.*}}call {{.*}}ptr @_Znwm(i64 noundef 16)
// CHECK: call void @__interlace_alloc(ptr [[NODE]], i64 16, ptr
Node *make() { return new Node{1, nullptr}; }

// CHECK-LABEL: define {{.*}}@_Z6bufferm(
// CHECK: [[BUF:%.*]] = {{.*}}call {{.*}}ptr @calloc(i64 noundef [[N:%[0-9a-z]+]], i64 noundef 4)
// CHECK: [[SIZE:%.*]] = mul i64 [[N]], 4
// CHECK: call void @__interlace_alloc(ptr [[BUF]], i64 [[SIZE]], ptr
int *buffer(unsigned long n) { return static_cast<int *>(calloc(n, 4)); }
