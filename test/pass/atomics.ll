; Atomic instructions stay as they are; the yield goes before them. atomicrmw and cmpxchg
; use the read-modify-write callee; atomic loads and stores the read and write callees.
; RUN: %opt -passes=interlace -S %s | FileCheck %s

; The site table records the kind of each: atomic load 2, atomic store 3, rmw 4, cmpxchg 5.
; CHECK: @__interlace_sites = private constant [4 x %interlace.site]
; CHECK-SAME: i32 0, i32 0, i32 2, i32 0
; CHECK-SAME: i32 0, i32 0, i32 3, i32 0
; CHECK-SAME: i32 0, i32 0, i32 4, i32 0
; CHECK-SAME: i32 0, i32 0, i32 5, i32 0

@counter = global i64 0

; CHECK-LABEL: define void @atomics(
; CHECK:      call void @__interlace_read(ptr @counter, i64 8,
; CHECK-NEXT: load atomic i64, ptr @counter seq_cst
; CHECK:      call void @__interlace_write(ptr @counter, i64 8,
; CHECK-NEXT: store atomic i64 1, ptr @counter release
; CHECK:      call void @__interlace_rmw(ptr @counter, i64 8,
; CHECK-NEXT: atomicrmw add ptr @counter, i64 1 seq_cst
; CHECK:      call void @__interlace_rmw(ptr @counter, i64 8,
; CHECK-NEXT: cmpxchg ptr @counter, i64 0, i64 1 acq_rel monotonic
define void @atomics() {
  %a = load atomic i64, ptr @counter seq_cst, align 8
  store atomic i64 1, ptr @counter release, align 8
  %b = atomicrmw add ptr @counter, i64 1 seq_cst
  %c = cmpxchg ptr @counter, i64 0, i64 1 acq_rel monotonic
  ret void
}

