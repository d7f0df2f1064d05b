; An access in a third-party library's header code (here /usr/include/somelib/) calls the
; runtime only when the thread-local __interlace_library_steps says its thread wants such
; steps; the user's own accesses call it unconditionally.
; RUN: %opt -passes=interlace -S %s | FileCheck %s

@shared = global i32 0

; CHECK: @__interlace_library_steps = external thread_local(initialexec) global i8

; CHECK-LABEL: define void @library_push(
; CHECK:      %[[ADDR:[0-9]+]] = call ptr @llvm.threadlocal.address.p0(ptr @__interlace_library_steps)
; CHECK-NEXT: %[[ON:[0-9]+]] = load i8, ptr %[[ADDR]]
; CHECK-NEXT: %[[TEST:[0-9]+]] = icmp ne i8 %[[ON]], 0
; CHECK-NEXT: br i1 %[[TEST]], label %[[CALL:[0-9]+]], label %[[STORE:[0-9]+]]
; CHECK:      [[CALL]]:
; CHECK-NEXT: call void @__interlace_write(ptr @shared, i64 4,
; CHECK-NEXT: br label %[[STORE]]
; CHECK:      [[STORE]]:
; CHECK-NEXT: store i32 1, ptr @shared
define void @library_push() !dbg !4 {
  store i32 1, ptr @shared, !dbg !7
  ret void
}

; CHECK-LABEL: define void @ours(
; CHECK-NOT:  __interlace_library_steps
; CHECK:      call void @__interlace_write(ptr @shared, i64 4,
; CHECK-NEXT: store i32 2, ptr @shared
define void @ours() !dbg !8 {
  store i32 2, ptr @shared, !dbg !9
  ret void
}

!llvm.module.flags = !{!0, !1}
!llvm.dbg.cu = !{!2}
!0 = !{i32 2, !"Debug Info Version", i32 3}
!1 = !{i32 7, !"Dwarf Version", i32 5}
!2 = distinct !DICompileUnit(language: DW_LANG_C_plus_plus_14, file: !3, emissionKind: FullDebug)
!3 = !DIFile(filename: "main.cpp", directory: "/src/app")
!4 = distinct !DISubprogram(name: "library_push", scope: !5, file: !5, line: 1, type: !6, unit: !2, spFlags: DISPFlagDefinition)
!5 = !DIFile(filename: "/usr/include/somelib/queue.hpp", directory: "/src/app")
!6 = !DISubroutineType(types: !{})
!7 = !DILocation(line: 2, column: 3, scope: !4)
!8 = distinct !DISubprogram(name: "ours", scope: !3, file: !3, line: 1, type: !6, unit: !2, spFlags: DISPFlagDefinition)
!9 = !DILocation(line: 2, column: 3, scope: !8)
