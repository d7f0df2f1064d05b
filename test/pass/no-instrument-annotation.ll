; INTERLACE_NO_INSTRUMENT is __attribute__((annotate("interlace_no_instrument"))): such a
; function gets no yield points. disable_sanitizer_instrumentation is honoured too.
; RUN: %opt -passes=interlace -S %s | FileCheck %s

@shared = global i32 0
@.str = private unnamed_addr constant [24 x i8] c"interlace_no_instrument\00", section "llvm.metadata"
@.file = private unnamed_addr constant [6 x i8] c"x.cpp\00", section "llvm.metadata"
@llvm.global.annotations = appending global [1 x { ptr, ptr, ptr, i32, ptr }] [{ ptr, ptr, ptr, i32, ptr } { ptr @quiet, ptr @.str, ptr @.file, i32 3, ptr null }], section "llvm.metadata"

; CHECK-LABEL: define void @quiet(
; CHECK-NOT:  call void @__interlace_
; CHECK:      ret void
define void @quiet() {
  store i32 1, ptr @shared
  ret void
}

; CHECK-LABEL: define void @sanitizer_off(
; CHECK-NOT:  call void @__interlace_
; CHECK:      ret void
define void @sanitizer_off() disable_sanitizer_instrumentation {
  store i32 2, ptr @shared
  ret void
}

; CHECK-LABEL: define void @loud(
; CHECK:      call void @__interlace_write(ptr @shared
define void @loud() {
  store i32 3, ptr @shared
  ret void
}
