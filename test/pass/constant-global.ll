; Nobody can write a constant global: reading it is not a scheduling point.
; RUN: %opt -passes=interlace -S %s | FileCheck %s

@table = constant [4 x i32] [i32 1, i32 2, i32 3, i32 4]
@mutable = global [4 x i32] zeroinitializer

; CHECK-LABEL: define i32 @lookup(
; CHECK-NOT:  call void @__interlace_read(ptr %c
; CHECK:      call void @__interlace_read(ptr %m, i64 4,
define i32 @lookup(i64 %i) {
  %c = getelementptr [4 x i32], ptr @table, i64 0, i64 %i
  %a = load i32, ptr %c
  %m = getelementptr [4 x i32], ptr @mutable, i64 0, i64 %i
  %b = load i32, ptr %m
  %s = add i32 %a, %b
  ret i32 %s
}
