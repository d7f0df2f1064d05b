; Instructions another instrumentation marked !nosanitize are left alone.
; RUN: %opt -passes=interlace -S %s | FileCheck %s

; CHECK-LABEL: define i32 @marked(
; CHECK-NOT:  call void @__interlace_read
; CHECK:      load i32, ptr %p, align 4, !nosanitize
define i32 @marked(ptr %p) {
  %v = load i32, ptr %p, align 4, !nosanitize !0
  ret i32 %v
}

!0 = !{}
