; A swifterror value may only be loaded, stored or passed as a swifterror argument: passing
; it to the runtime would be invalid IR, so its accesses are skipped.
; RUN: %opt -passes=interlace -S %s | FileCheck %s

declare swiftcc void @callee(ptr swifterror)

; CHECK-LABEL: define swiftcc ptr @f(
; CHECK-NOT:  call void @__interlace_{{.*}}(ptr %err
; CHECK:      ret ptr
define swiftcc ptr @f() {
entry:
  %err = alloca swifterror ptr, align 8
  store ptr null, ptr %err, align 8
  call swiftcc void @callee(ptr swifterror %err)
  %v = load ptr, ptr %err, align 8
  ret ptr %v
}
