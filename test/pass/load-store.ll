; Every load and store that may touch shared memory gets a yield point before it, with the
; address, the access size and its site.
; RUN: %opt -passes=interlace -S %s | FileCheck %s

@shared = global i32 0
@wide = global i64 0

; CHECK-LABEL: define i32 @read_write(
; CHECK:      call void @__interlace_read(ptr %p, i64 4, ptr @__interlace_sites)
; CHECK-NEXT: %v = load i32, ptr %p
; CHECK:      call void @__interlace_write(ptr @shared, i64 4, ptr getelementptr
; CHECK-NEXT: store i32 %v, ptr @shared
; CHECK:      call void @__interlace_write(ptr @wide, i64 8, ptr getelementptr
; CHECK-NEXT: store i64 1, ptr @wide
define i32 @read_write(ptr %p) {
  %v = load i32, ptr %p
  store i32 %v, ptr @shared
  store i64 1, ptr @wide
  ret i32 %v
}

; CHECK-LABEL: define void @read_kept_before_write(
; A read followed by a write to the same address keeps both yields: merging them would
; merge two scheduling steps and hide an interleaving.
; CHECK:      call void @__interlace_read(ptr @shared
; CHECK-NEXT: load i32
; CHECK-NEXT: add
; CHECK-NEXT: call void @__interlace_write(ptr @shared
; CHECK-NEXT: store i32
define void @read_kept_before_write() {
  %v = load i32, ptr @shared
  %w = add i32 %v, 1
  store i32 %w, ptr @shared
  ret void
}

; CHECK: declare void @__interlace_read(ptr, i64, ptr)
; CHECK: declare void @__interlace_write(ptr, i64, ptr)
