//===- AccessNames.h - source names for memory accesses --------*- C++ -*-===//
#ifndef INTERLACE_ACCESS_NAMES_H
#define INTERLACE_ACCESS_NAMES_H

#include "llvm/IR/PassManager.h"

namespace interlace {

// Metadata kind that carries an access's source name: !interlace.object !{!"Counter::value"}.
inline constexpr const char *ObjectMetadata = "interlace.object";
// Named metadata of (call location, object name) pairs for calls into library code whose
// accesses are named by the object the call was made on.
inline constexpr const char *CallObjectsMetadata = "interlace.call_objects";

// Names what each load, store and atomic operation touches, in the source's terms
// ("Counter::value", "balance", "table[]"), while the IR still has the shape the front end
// gave it; InterlacePass copies the name into the access's site record.
class AccessNamesPass : public llvm::PassInfoMixin<AccessNamesPass> {
public:
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &MAM);
  static bool isRequired() { return true; }
};

} // namespace interlace

#endif // INTERLACE_ACCESS_NAMES_H
