; Without debug info sites are still emitted, with "?" for the file and the function's name.
; RUN: %opt -passes=interlace-access-names,interlace -S %s | FileCheck %s

@shared = global i32 0

; CHECK-DAG: [[FILE:@interlace.str[.0-9]*]] = private unnamed_addr constant [2 x i8] c"?\00"
; CHECK-DAG: [[FUNCTION:@interlace.str[.0-9]*]] = private unnamed_addr constant [13 x i8] c"ns::update()\00"
; The global's own name names the access (no debug info to say more).
; CHECK-DAG: [[OBJECT:@interlace.str[.0-9]*]] = private unnamed_addr constant [7 x i8] c"shared\00"
; CHECK-DAG: @__interlace_sites = private constant [1 x %interlace.site] [%interlace.site { ptr [[FILE]], ptr [[FUNCTION]], i32 0, i32 0, i32 1, i32 0, ptr [[OBJECT]] }]
define void @_ZN2ns6updateEv() {
  store i32 1, ptr @shared
  ret void
}
