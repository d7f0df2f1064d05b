; Masked vector accesses and gathers/scatters are yield points too; a gather or scatter names
; its first lane's address and one element's size. Element-wise atomic memcpy is instrumented
; like memcpy.
; RUN: %opt -passes=interlace -S %s | FileCheck %s

declare <4 x i32> @llvm.masked.load.v4i32.p0(ptr, i32, <4 x i1>, <4 x i32>)
declare void @llvm.masked.store.v4i32.p0(<4 x i32>, ptr, i32, <4 x i1>)
declare <4 x i32> @llvm.masked.gather.v4i32.v4p0(<4 x ptr>, i32, <4 x i1>, <4 x i32>)
declare void @llvm.masked.scatter.v4i32.v4p0(<4 x i32>, <4 x ptr>, i32, <4 x i1>)
declare void @llvm.memcpy.element.unordered.atomic.p0.p0.i64(ptr, ptr, i64, i32)

; CHECK-LABEL: define <4 x i32> @masked(
; CHECK:      call void @__interlace_read(ptr %p, i64 16,
; CHECK-NEXT: call <4 x i32> @llvm.masked.load
; CHECK:      call void @__interlace_write(ptr %p, i64 16,
; CHECK-NEXT: call void @llvm.masked.store
define <4 x i32> @masked(ptr %p, <4 x i1> %m, <4 x i32> %v) {
  %l = call <4 x i32> @llvm.masked.load.v4i32.p0(ptr %p, i32 4, <4 x i1> %m, <4 x i32> %v)
  call void @llvm.masked.store.v4i32.p0(<4 x i32> %l, ptr %p, i32 4, <4 x i1> %m)
  ret <4 x i32> %l
}

; CHECK-LABEL: define <4 x i32> @gather_scatter(
; CHECK:      [[FIRST:%.*]] = extractelement <4 x ptr> %ps, i64 0
; CHECK-NEXT: call void @__interlace_read(ptr [[FIRST]], i64 4,
; CHECK-NEXT: call <4 x i32> @llvm.masked.gather
; CHECK:      [[FIRST2:%.*]] = extractelement <4 x ptr> %ps, i64 0
; CHECK-NEXT: call void @__interlace_write(ptr [[FIRST2]], i64 4,
; CHECK-NEXT: call void @llvm.masked.scatter
define <4 x i32> @gather_scatter(<4 x ptr> %ps, <4 x i1> %m, <4 x i32> %v) {
  %g = call <4 x i32> @llvm.masked.gather.v4i32.v4p0(<4 x ptr> %ps, i32 4, <4 x i1> %m, <4 x i32> %v)
  call void @llvm.masked.scatter.v4i32.v4p0(<4 x i32> %g, <4 x ptr> %ps, i32 4, <4 x i1> %m)
  ret <4 x i32> %g
}

; CHECK-LABEL: define void @atomic_copy(
; CHECK:      call void @__interlace_read(ptr %src, i64 %n,
; CHECK-NEXT: call void @__interlace_write(ptr %dst, i64 %n,
; CHECK-NEXT: call void @llvm.memcpy.element.unordered.atomic
define void @atomic_copy(ptr %dst, ptr %src, i64 %n) {
  call void @llvm.memcpy.element.unordered.atomic.p0.p0.i64(ptr align 4 %dst, ptr align 4 %src, i64 %n, i32 4)
  ret void
}
