//===- DebugLocations.cpp - source locations for interlace sites ----------===//

#include "DebugLocations.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace interlace {

bool isSystemPath(StringRef Path) {
  return Path.starts_with("/usr/include/") || Path.starts_with("/usr/lib/gcc/") ||
         Path.starts_with("/usr/lib/llvm-") || Path.contains("/c++/v1/");
}

bool isLibraryHeaderPath(StringRef Path) {
  if (!Path.consume_front("/usr/include/") || Path.starts_with("c++/") ||
      Path.starts_with("x86_64-linux-gnu/") || Path.starts_with("linux/") ||
      Path.starts_with("asm") || Path.starts_with("sys/") || Path.starts_with("bits/"))
    return false;
  return Path.contains('/'); // in a library's own directory, not a C header
}

std::string fullPath(const DIScope *Scope) {
  StringRef File = Scope->getFilename();
  if (File.empty())
    return "?";
  SmallString<256> Path;
  if (sys::path::is_absolute(File)) {
    Path = File;
  } else {
    Path = Scope->getDirectory();
    sys::path::append(Path, File);
  }
  sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
  return std::string(Path);
}

std::string qualifiedName(const DISubprogram *SP) {
  std::string Name = SP->getName().str();
  for (const DIScope *Scope = SP->getScope(); Scope; Scope = Scope->getScope()) {
    if (isa<DIFile>(Scope) || isa<DICompileUnit>(Scope))
      break;
    StringRef Part = Scope->getName();
    if (!Part.empty())
      Name.insert(0, Part.str() + "::");
  }
  return Name;
}

StructType *siteType(Module &M) {
  LLVMContext &Ctx = M.getContext();
  if (StructType *Existing = StructType::getTypeByName(Ctx, "interlace.site"))
    return Existing;
  Type *Ptr = PointerType::getUnqual(Ctx);
  Type *I32 = Type::getInt32Ty(Ctx);
  return StructType::create(Ctx, {Ptr, Ptr, I32, I32, I32, I32, Ptr}, "interlace.site");
}

Constant *StringConstants::get(StringRef Text) {
  auto [It, Inserted] = Cache.try_emplace(Text, nullptr);
  if (Inserted) {
    auto *Data = ConstantDataArray::getString(M.getContext(), Text);
    auto *G = new GlobalVariable(M, Data->getType(), /*isConstant=*/true,
                                 GlobalValue::PrivateLinkage, Data, Name);
    G->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
    G->setAlignment(Align(1));
    It->second = G;
  }
  return It->second;
}

} // namespace interlace
