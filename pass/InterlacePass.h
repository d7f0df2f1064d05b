//===- InterlacePass.h - yield points for controlled scheduling -*- C++ -*-===//
//
// The interlace instrumentation pass. See InterlacePass.cpp for the design.
//
//===----------------------------------------------------------------------===//
#ifndef INTERLACE_PASS_H
#define INTERLACE_PASS_H

#include "llvm/IR/PassManager.h"

namespace interlace {

class InterlacePass : public llvm::PassInfoMixin<InterlacePass> {
public:
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &MAM);
  // Required, so that optnone functions at -O0 are instrumented too.
  static bool isRequired() { return true; }
};

} // namespace interlace

#endif // INTERLACE_PASS_H
