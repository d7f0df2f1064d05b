; The marker pass runs once per module: a module it has already seen is left alone.
; RUN: %opt -passes=interlace-markers,interlace-markers -S %s | FileCheck %s
; CHECK: !interlace.markers = !{}
; CHECK-NOT: !interlace.markers

define void @f() {
  ret void
}
