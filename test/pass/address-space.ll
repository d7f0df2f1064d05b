; Accesses outside the default address space are not instrumented.
; RUN: %opt -passes=interlace -S %s | FileCheck %s

; CHECK-LABEL: define i32 @other_space(
; CHECK-NOT:  call void @__interlace_read(ptr addrspace(1)
; CHECK:      load i32, ptr addrspace(1) %p
define i32 @other_space(ptr addrspace(1) %p) {
  %v = load i32, ptr addrspace(1) %p
  ret i32 %v
}
