; A local whose address never escapes cannot be shared: no yield. One whose address is passed
; to another function can be: yield.
; RUN: %opt -passes=interlace -S %s | FileCheck %s
; RUN: %opt -passes=interlace -interlace-skip-non-escaping=false -S %s | FileCheck %s --check-prefix=ALL

declare void @publish(ptr)

; CHECK-LABEL: define i32 @locals(
; CHECK-NOT:  call void @__interlace_{{.*}}(ptr %private
; CHECK:      call void @__interlace_write(ptr %escaping, i64 4,
; CHECK-NEXT: store i32 2, ptr %escaping
; ALL-LABEL: define i32 @locals(
; ALL: call void @__interlace_write(ptr %private, i64 4,
define i32 @locals() {
  %private = alloca i32
  %escaping = alloca i32
  store i32 1, ptr %private
  %v = load i32, ptr %private
  call void @publish(ptr %escaping)
  store i32 2, ptr %escaping
  ret i32 %v
}
