//===- DebugLocations.h - source locations for interlace sites -*- C++ -*-===//
//
// Helpers shared by the interlace passes: paths and names from debug info, and the
// interlace_site record type of rt/include/interlace/abi.h.
//
//===----------------------------------------------------------------------===//
#ifndef INTERLACE_DEBUG_LOCATIONS_H
#define INTERLACE_DEBUG_LOCATIONS_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/Module.h"

#include <string>

namespace interlace {

// The absolute, normalised path of a scope's file, or "?" when it has none.
std::string fullPath(const llvm::DIScope *Scope);

// "Counter::increment" from a subprogram and its enclosing scopes.
std::string qualifiedName(const llvm::DISubprogram *SP);

// True for files of the C and C++ standard libraries and the compiler.
bool isSystemPath(llvm::StringRef Path);
// A third-party library's installed header (/usr/include/<library>/...: Boost, TBB, Abseil),
// as opposed to the C and C++ standard libraries'.
bool isLibraryHeaderPath(llvm::StringRef Path);

// The struct type of interlace_site { file, function, line, column, kind, flags, object }.
llvm::StructType *siteType(llvm::Module &M);

// The strings of a module's site records: one private, unnamed-address C string constant per
// distinct text, named `Name`.
class StringConstants {
public:
  StringConstants(llvm::Module &M, llvm::StringRef Name) : M(M), Name(Name.str()) {}

  llvm::Constant *get(llvm::StringRef Text);

private:
  llvm::Module &M;
  std::string Name;
  llvm::StringMap<llvm::Constant *> Cache;
};

} // namespace interlace

#endif // INTERLACE_DEBUG_LOCATIONS_H
