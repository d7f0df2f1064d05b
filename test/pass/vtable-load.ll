; Loading an object's vtable pointer is not a shared-data access (TBAA marks it).
; RUN: %opt -passes=interlace -S %s | FileCheck %s

; CHECK-LABEL: define ptr @vptr(
; CHECK-NOT:  call void @__interlace_read
; CHECK:      load ptr, ptr %obj, align 8, !tbaa
; CHECK:      call void @__interlace_read(ptr %field
define ptr @vptr(ptr %obj) {
  %vtable = load ptr, ptr %obj, align 8, !tbaa !0
  %field = getelementptr i8, ptr %obj, i64 8
  %f = load ptr, ptr %field, align 8
  ret ptr %vtable
}

!0 = !{!1, !1, i64 0}
!1 = !{!"vtable pointer", !2, i64 0}
!2 = !{!"Simple C++ TBAA"}
