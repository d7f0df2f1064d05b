//===- MarkerPass.h - trace markers from source comments -------*- C++ -*-===//
#ifndef INTERLACE_MARKER_PASS_H
#define INTERLACE_MARKER_PASS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/IR/PassManager.h"

#include <map>
#include <string>
#include <vector>

namespace interlace {

// Puts a call to __interlace_marker(NAME, site) at the start of every line a
// `// interlace: NAME` (or `/* interlace: NAME */`) comment gates.
class MarkerPass : public llvm::PassInfoMixin<MarkerPass> {
public:
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &MAM);
  static bool isRequired() { return true; }
};

// A marker found in a source file, and the line it gates.
struct SourceMarker {
  std::string Name;
  unsigned MarkerLine; // where the comment is
  unsigned GatedLine;  // the line it gates: its own if it has code, else the next code line
};

// The markers of a source text, in order. A marker on a line with code gates that line; a
// marker alone on its line gates the next line that has code (blank lines and comment-only
// lines are skipped).
std::vector<SourceMarker> findMarkers(llvm::StringRef Text);

} // namespace interlace

#endif // INTERLACE_MARKER_PASS_H
