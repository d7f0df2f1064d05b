; Each module registers its mutable globals (address, size, element size, name) so that reports
; can name addresses; constants, thread-locals and declarations are left out.
; RUN: %opt -passes=interlace -S %s | FileCheck %s

@counter = global i64 0
@table = global [8 x i32] zeroinitializer
@constant = constant i32 7
@tls = thread_local global i32 0
@external = external global i32

; CHECK: @__interlace_globals = private constant [2 x { ptr, i64, i64, ptr }] [{ ptr, i64, i64, ptr } { ptr @counter, i64 8, i64 8, ptr @{{[^ ]*}} }, { ptr, i64, i64, ptr } { ptr @table, i64 32, i64 4, ptr @{{[^ ]*}} }]

define void @f() {
  store i64 1, ptr @counter
  ret void
}
