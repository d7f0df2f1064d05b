// Without -g the pass cannot see marker comments; a file with markers is then an error, not
// a silent no-op.
// RUN: not %clangxx -O1 -fpass-plugin=%plugin -c %s -o /dev/null 2>&1 | FileCheck %s
// CHECK: error: interlace: {{.*}}markers-without-debug-info.cpp has `// interlace:` trace markers, but it was compiled without debug info

int value;

void store() {
  value = 1; // interlace: store_value
}
