// A marker that gates no code would never fire: the pass warns.
// RUN: %clangxx -g -O0 -fpass-plugin=%plugin -c %s -o /dev/null 2>&1 | FileCheck %s
// CHECK: warning: interlace: marker 'declared_only' at {{.*}}markers-unreachable.cpp:8 gates line 9, which has no code in this translation unit

int value;

void declare() {
  // interlace: declared_only
  int unused;
  value = 1;
}
