; A thread-local variable belongs to one thread: no yield, whether accessed directly or
; through llvm.threadlocal.address.
; RUN: %opt -passes=interlace -S %s | FileCheck %s

@tls = thread_local global i32 0
@shared = global i32 0

declare ptr @llvm.threadlocal.address.p0(ptr)

; CHECK-LABEL: define void @bump(
; CHECK-NOT:  call void @__interlace_{{.*}}(ptr @tls
; CHECK-NOT:  call void @__interlace_{{.*}}(ptr %addr
; CHECK:      call void @__interlace_write(ptr @shared
define void @bump() {
  store i32 1, ptr @tls
  %addr = call ptr @llvm.threadlocal.address.p0(ptr @tls)
  %v = load i32, ptr %addr
  store i32 %v, ptr @shared
  ret void
}
