; memcpy and memmove read their source and write their destination; memset writes. The length
; may be a run-time value.
; RUN: %opt -passes=interlace -S %s | FileCheck %s
; RUN: %opt -passes=interlace -interlace-memintrinsics=false -S %s | FileCheck %s --check-prefix=OFF

declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
declare void @llvm.memmove.p0.p0.i64(ptr, ptr, i64, i1)
declare void @llvm.memset.p0.i32(ptr, i8, i32, i1)

; CHECK-LABEL: define void @copies(
; CHECK:      call void @__interlace_read(ptr %src, i64 %n,
; CHECK-NEXT: call void @__interlace_write(ptr %dst, i64 %n,
; CHECK-NEXT: call void @llvm.memcpy
; CHECK:      call void @__interlace_read(ptr %src, i64 16,
; CHECK-NEXT: call void @__interlace_write(ptr %dst, i64 16,
; CHECK-NEXT: call void @llvm.memmove
; CHECK:      [[LEN:%.*]] = zext i32 %m to i64
; CHECK-NEXT: call void @__interlace_write(ptr %dst, i64 [[LEN]],
; CHECK-NEXT: call void @llvm.memset
; OFF-LABEL: define void @copies(
; OFF-NOT: call void @__interlace_
; OFF: ret void
define void @copies(ptr %dst, ptr %src, i64 %n, i32 %m) {
  call void @llvm.memcpy.p0.p0.i64(ptr %dst, ptr %src, i64 %n, i1 false)
  call void @llvm.memmove.p0.p0.i64(ptr %dst, ptr %src, i64 16, i1 false)
  call void @llvm.memset.p0.i32(ptr %dst, i8 0, i32 %m, i1 false)
  ret void
}
