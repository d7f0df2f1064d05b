// The ignore list also works from clang: -mllvm -interlace-ignorelist=FILE. The plugin has to
// be loaded with -fplugin as well, so that clang knows the option before parsing -mllvm.
// RUN: %clangxx -O1 -fplugin=%plugin -fpass-plugin=%plugin -mllvm -interlace-ignorelist=%S/Inputs/ignore-fun.txt -S -emit-llvm %s -o - | FileCheck %s

int shared;

// CHECK-LABEL: define {{.*}}@_Z10skip_heavyv(
// CHECK-NOT: call void @__interlace_
// CHECK: ret void
void skip_heavy() { shared = 1; }

// CHECK-LABEL: define {{.*}}@_Z4keepv(
// CHECK: call void @__interlace_write
void keep() { shared = 2; }
