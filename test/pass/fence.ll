; A fence is a yield point of its own; a single-thread (signal) fence is not.
; RUN: %opt -passes=interlace -S %s | FileCheck %s

; CHECK-LABEL: define void @fences(
; CHECK:      call void @__interlace_fence(ptr @__interlace_sites)
; CHECK-NEXT: fence seq_cst
; CHECK-NOT:  call void @__interlace_fence
; CHECK:      fence syncscope("singlethread") seq_cst
define void @fences() {
  fence seq_cst
  fence syncscope("singlethread") seq_cst
  ret void
}
