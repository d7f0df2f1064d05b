; Every instrumented module registers its site table and its mutable globals, with the ABI
; version, from a module constructor that runs before the program's own (priority 0).
; RUN: %opt -passes=interlace -S %s | FileCheck %s

@shared = global i32 0

define void @f() {
  store i32 1, ptr @shared
  %v = load i32, ptr @shared
  ret void
}

; CHECK: @llvm.global_ctors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 0, ptr @interlace.module_ctor, ptr null }]
; CHECK-LABEL: define internal void @interlace.module_ctor()
; CHECK: call void @__interlace_register_module(i32 7, ptr @__interlace_sites, i64 2, ptr @__interlace_globals, i64 1, ptr @interlace.module)
