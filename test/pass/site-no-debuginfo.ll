; Without debug info sites are still emitted, with "?" for the file and the function's name.
; RUN: %opt -passes=interlace -S %s | FileCheck %s

@shared = global i32 0

; CHECK: @interlace.str = private unnamed_addr constant [2 x i8] c"?\00"
; CHECK: @interlace.str.1 = private unnamed_addr constant [13 x i8] c"ns::update()\00"
; CHECK: @__interlace_sites = private constant [1 x %interlace.site] [%interlace.site { ptr @interlace.str, ptr @interlace.str.1, i32 0, i32 0, i32 1, i32 0 }]
define void @_ZN2ns6updateEv() {
  store i32 1, ptr @shared
  ret void
}
