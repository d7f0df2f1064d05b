//===- AwaitPass.h - switch points at co_await ------------------*- C++ -*-===//
#ifndef INTERLACE_AWAIT_PASS_H
#define INTERLACE_AWAIT_PASS_H

#include "llvm/IR/PassManager.h"

namespace interlace {

// Puts a call to __interlace_await(site) at every co_await of the user's coroutines, between
// the awaiter's await_ready and its suspension: where async tasks run cooperatively, every
// co_await is a point at which another task may go on, as every await is in the Python
// original.
class AwaitPass : public llvm::PassInfoMixin<AwaitPass> {
public:
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &MAM);
  static bool isRequired() { return true; }
};

} // namespace interlace

#endif // INTERLACE_AWAIT_PASS_H
