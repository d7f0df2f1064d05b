; -interlace-ignorelist: `src:` entries match the function's source file (from debug info).
; RUN: %opt -passes=interlace -interlace-ignorelist=%S/Inputs/ignore-src.txt -S %s | FileCheck %s

@shared = global i32 0

; CHECK-LABEL: define void @vendored(
; CHECK-NOT:  call void @__interlace_
; CHECK:      ret void
define void @vendored() !dbg !4 {
  store i32 1, ptr @shared, !dbg !7
  ret void
}

; CHECK-LABEL: define void @ours(
; CHECK:      call void @__interlace_write
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
!4 = distinct !DISubprogram(name: "vendored", scope: !5, file: !5, line: 1, type: !6, unit: !2, spFlags: DISPFlagDefinition)
!5 = !DIFile(filename: "vendor/lib.cpp", directory: "/src/app")
!6 = !DISubroutineType(types: !{})
!7 = !DILocation(line: 2, column: 3, scope: !4)
!8 = distinct !DISubprogram(name: "ours", scope: !3, file: !3, line: 1, type: !6, unit: !2, spFlags: DISPFlagDefinition)
!9 = !DILocation(line: 2, column: 3, scope: !8)
