// The plugin loaded into a compiler of another LLVM (clang 14 on Debian 12) says which
// compiler to use and fails cleanly, instead of the dynamic linker's "symbol lookup error".
// Unsupported unless such a compiler is installed (see lit.cfg.py).
// REQUIRES: other-llvm
// RUN: not %other_clangxx -c -fpass-plugin=%plugin %s -o %t.o 2>&1 | FileCheck %s -DMAJOR=%other_llvm_major
// RUN: not %other_clangxx -c -fplugin=%plugin -fpass-plugin=%plugin %s -o %t.o 2>&1 | FileCheck %s -DMAJOR=%other_llvm_major
// RUN: not %other_opt -load-pass-plugin=%plugin -passes=interlace -disable-output /dev/null 2>&1 | FileCheck %s -DMAJOR=%other_llvm_major --check-prefix=OPT

// CHECK-NOT: symbol lookup error
// CHECK: interlace: libInterlacePass.so was built for LLVM 19 (clang-19); this compiler is LLVM [[MAJOR]]: compile with clang++-19
// CHECK-NOT: symbol lookup error
// CHECK: error: unable to load plugin
// CHECK-NOT: symbol lookup error

// OPT: interlace: libInterlacePass.so was built for LLVM 19 (clang-19); this compiler is LLVM [[MAJOR]]: compile with clang++-19
// OPT: Failed to load passes from

int shared;

int main() { return shared; }
