// A marker alone on its line gates the next line with code, skipping blank lines and
// comment-only lines. `/* interlace: NAME */` works like `// interlace: NAME`.
// RUN: %clangxx -g -O1 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s

int value;

void increment() {
  // interlace: read_value

  // (an explanatory comment does not take the marker)
  int temp = value;
  /* interlace: write_value */ value = temp + 1;
}

// The marker sites record the gated lines: 11 and 12 (site kind 10 is a marker).
// CHECK-DAG: @interlace.marker.site{{[.0-9]*}} = private constant %interlace.site { ptr @{{[^,]*}}, ptr @{{[^,]*}}, i32 11, i32 0, i32 10, i32 0, ptr null }
// CHECK-DAG: @interlace.marker.site{{[.0-9]*}} = private constant %interlace.site { ptr @{{[^,]*}}, ptr @{{[^,]*}}, i32 12, i32 0, i32 10, i32 0, ptr null }
// CHECK-LABEL: define {{.*}}@_Z9incrementv(
// CHECK: call void @__interlace_marker(
// CHECK-NEXT: call void @__interlace_read(ptr {{.*}}@value
// CHECK: call void @__interlace_marker(
// CHECK: call void @__interlace_write(ptr {{.*}}@value
