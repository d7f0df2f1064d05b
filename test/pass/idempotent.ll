; Running the pass twice instruments once.
; RUN: %opt -passes=interlace,interlace -S %s | FileCheck %s

@shared = global i32 0

; CHECK-LABEL: define void @f(
; CHECK-COUNT-1: call void @__interlace_write
; CHECK-NOT: call void @__interlace_write
define void @f() {
  store i32 1, ptr @shared
  ret void
}
