; A missing ignore list is a clear error, not a silent no-op.
; RUN: not %opt -passes=interlace -interlace-ignorelist=%S/Inputs/no-such-file.txt -S %s 2>&1 | FileCheck %s
; CHECK: interlace: cannot use -interlace-ignorelist: {{.*}}no-such-file.txt

define void @f() {
  ret void
}
