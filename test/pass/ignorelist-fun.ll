; -interlace-ignorelist: `fun:` entries match mangled or demangled function names.
; RUN: %opt -passes=interlace -interlace-ignorelist=%S/Inputs/ignore-fun.txt -S %s | FileCheck %s

@shared = global i32 0

; CHECK-LABEL: define void @skip_this(
; CHECK-NOT:  call void @__interlace_
; CHECK:      ret void
define void @skip_this() {
  store i32 1, ptr @shared
  ret void
}

; ns::helper(int), matched by its demangled name.
; CHECK-LABEL: define void @_ZN2ns6helperEi(
; CHECK-NOT:  call void @__interlace_
; CHECK:      ret void
define void @_ZN2ns6helperEi(i32 %x) {
  store i32 %x, ptr @shared
  ret void
}

; CHECK-LABEL: define void @keep_this(
; CHECK:      call void @__interlace_write
define void @keep_this() {
  store i32 2, ptr @shared
  ret void
}
