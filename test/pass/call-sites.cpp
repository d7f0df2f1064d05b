// Before a call from user code into a library, the call's site is stored in the thread-local
// __interlace_call_site, so the runtime's interceptors can say where a lock was taken. At -O0
// the user calls libstdc++'s lock_guard; at -O2 pthread_mutex_lock is called from code
// inlined into the user's function. Calls between user functions store nothing.
// RUN: %clangxx -g -O0 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s --check-prefixes=CHECK,O0
// RUN: %clangxx -g -O2 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s --check-prefixes=CHECK,O2
#include <mutex>

std::mutex m;
int shared;

__attribute__((noinline)) void helper() { shared = 1; }

// CHECK: @__interlace_call_site = external thread_local(initialexec) global ptr
// CHECK-LABEL: define {{.*}}@_Z6updatev(
// CHECK: [[SLOT:%[0-9]+]] = call ptr @llvm.threadlocal.address.p0(ptr @__interlace_call_site)
// CHECK-NEXT: store ptr getelementptr {{.*}}@__interlace_sites{{.*}}, ptr [[SLOT]]
// O0-NEXT: call void @_ZNSt10lock_guardISt5mutexEC2ERS0_(
// O0-NEXT: call void @_Z6helperv()
// O2-NEXT: call {{.*}}@pthread_mutex_lock(
// O2: call void @_Z6helperv()
void update() {
  std::lock_guard<std::mutex> lock(m);
  helper();
}
