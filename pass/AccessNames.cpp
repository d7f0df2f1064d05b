//===- AccessNames.cpp - source names for memory accesses -----------------===//
//
// Explanations name what an access touched: `Counter::value`, not an address. The name is
// easiest to find before optimisation, when `this->value` is still a GEP into
// %struct.Counter: this pass runs at the pipeline start, derives a name from each access's
// pointer (struct fields through the debug info of their type, globals by their source name,
// `[]` for array elements), and attaches it as !interlace.object metadata. Accesses in system
// headers are left unnamed (`std::__atomic_base<int>::_M_i` helps nobody); the runtime then
// names the address by what contains it.
//
//===----------------------------------------------------------------------===//

#include "AccessNames.h"
#include "DebugLocations.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Metadata.h"
#include "llvm/IR/Operator.h"

#include <cstring>
#include <string>

using namespace llvm;
using namespace interlace;

namespace {

// "ns::Counter" for a type or variable scope chain.
std::string qualified(StringRef Name, const DIScope *Scope) {
  std::string Result = Name.str();
  for (; Scope; Scope = Scope->getScope()) {
    if (isa<DIFile>(Scope) || isa<DICompileUnit>(Scope))
      break;
    if (!Scope->getName().empty())
      Result.insert(0, Scope->getName().str() + "::");
  }
  return Result;
}

class Namer {
public:
  explicit Namer(Module &M) : M(M) {
    DebugInfoFinder Finder;
    Finder.processModule(M);
    for (DIType *Type : Finder.types())
      if (auto *Composite = dyn_cast<DICompositeType>(Type))
        if (!Composite->getName().empty() && !Composite->isForwardDecl())
          Composites.try_emplace(typeKey(Composite), Composite);
  }

  // A type's key in Composites: its qualified name, or for a type local to a function (a
  // struct in a test body) its name inside the function, which is how reports show it
  // (`Local::count`) and what localName() makes of its IR name.
  static std::string typeKey(const DICompositeType *Composite) {
    std::string Key = Composite->getName().str();
    for (const DIScope *Scope = Composite->getScope(); Scope; Scope = Scope->getScope()) {
      if (isa<DIFile>(Scope) || isa<DICompileUnit>(Scope) || isa<DISubprogram>(Scope))
        break;
      if (!Scope->getName().empty())
        Key.insert(0, Scope->getName().str() + "::");
    }
    return Key;
  }

  // "TestBody()::Local" or "f(int) const::Local" (the IR's name of a function-local type):
  // "Local".
  static std::string localName(std::string Name) {
    for (StringRef Separator : {")::", ") const::"}) {
      const size_t At = Name.rfind(Separator.str());
      if (At != std::string::npos)
        return Name.substr(At + Separator.size());
    }
    return Name;
  }

  std::string name(const Value *Pointer) const;

private:
  std::string global(const GlobalVariable &GV) const;
  std::string field(StructType *Struct, unsigned Index) const;

  Module &M;
  StringMap<const DICompositeType *> Composites;
};

std::string Namer::global(const GlobalVariable &GV) const {
  SmallVector<DIGlobalVariableExpression *, 1> Expressions;
  GV.getDebugInfo(Expressions);
  if (!Expressions.empty())
    if (const DIGlobalVariable *Variable = Expressions.front()->getVariable())
      return qualified(Variable->getName(), Variable->getScope());
  return demangle(GV.getName());
}

// "Counter::value": the debug-info member at the IR field's offset.
std::string Namer::field(StructType *Struct, unsigned Index) const {
  if (!Struct->hasName() || Struct->isOpaque())
    return "";
  StringRef TypeName = Struct->getName();
  for (StringRef Prefix : {"struct.", "class.", "union."})
    if (TypeName.consume_front(Prefix))
      break;
  TypeName = TypeName.take_until([](char C) { return C == '.'; }); // "Counter.base" etc.
  // Debug info leaves anonymous namespaces out of qualified names; the IR spells them.
  std::string Plain = TypeName.str();
  for (size_t At; (At = Plain.find("(anonymous namespace)::")) != std::string::npos;)
    Plain.erase(At, std::strlen("(anonymous namespace)::"));
  const uint64_t Offset = M.getDataLayout().getStructLayout(Struct)->getElementOffsetInBits(Index);
  auto It = Composites.find(Plain);
  if (It == Composites.end()) {
    Plain = localName(Plain);
    It = Composites.find(Plain);
  }
  if (It != Composites.end()) {
    for (const DINode *Element : It->second->getElements()) {
      const auto *Member = dyn_cast<DIDerivedType>(Element);
      if (Member && Member->getOffsetInBits() == Offset && !Member->isStaticMember()) {
        if (Member->getTag() == dwarf::DW_TAG_inheritance && Member->getBaseType())
          return Plain + "::" + Member->getBaseType()->getName().str();
        if (Member->getTag() == dwarf::DW_TAG_member)
          return Plain + "::" + Member->getName().str();
      }
    }
  }
  return Plain + "+" + std::to_string(Offset / 8);
}

std::string Namer::name(const Value *Pointer) const {
  // No stripPointerCasts(): it also strips all-zero GEPs, which select a struct's first field.
  if (const auto *GV = dyn_cast<GlobalVariable>(Pointer))
    return global(*GV);
  const auto *GEP = dyn_cast<GEPOperator>(Pointer);
  if (!GEP)
    return "";
  // The last struct field the GEP selects, followed by [] per array level after it.
  std::string Name;
  Type *Current = GEP->getSourceElementType();
  const auto *Index = GEP->idx_begin();
  if (Index == GEP->idx_end())
    return "";
  const auto *First = dyn_cast<ConstantInt>(Index->get());
  std::string Base = name(GEP->getPointerOperand());
  if (!First || !First->isZero()) {
    // Pointer arithmetic on the base: an element of the array it points into.
    Name = Base.empty() ? "" : Base + "[]";
  } else {
    Name = Base;
  }
  for (++Index; Index != GEP->idx_end(); ++Index) {
    if (auto *Struct = dyn_cast<StructType>(Current)) {
      const auto *Field = cast<ConstantInt>(Index->get());
      const std::string FieldName = field(Struct, static_cast<unsigned>(Field->getZExtValue()));
      if (!FieldName.empty())
        Name = FieldName;
      Current = Struct->getElementType(static_cast<unsigned>(Field->getZExtValue()));
    } else if (auto *Array = dyn_cast<ArrayType>(Current)) {
      if (!Name.empty())
        Name += "[]";
      Current = Array->getElementType();
    } else {
      break;
    }
  }
  return Name;
}

bool inSystemHeader(const Function &F) {
  const DISubprogram *SP = F.getSubprogram();
  return SP && isSystemPath(fullPath(SP));
}

} // namespace

namespace interlace {

PreservedAnalyses AccessNamesPass::run(Module &M, ModuleAnalysisManager &) {
  Namer Names(M);
  LLVMContext &Ctx = M.getContext();
  const unsigned Kind = Ctx.getMDKindID(ObjectMetadata);
  NamedMDNode *CallObjects = M.getOrInsertNamedMetadata(CallObjectsMetadata);
  bool Changed = false;
  for (Function &F : M) {
    if (F.isDeclaration() || inSystemHeader(F))
      continue;
    for (BasicBlock &BB : F) {
      for (Instruction &I : BB) {
        // A call into the standard library on a named object (h.ready.load()): its accesses
        // happen in library code, which is inlined later; remember the object by the call's
        // location, which becomes their inlinedAt location.
        if (const auto *Call = dyn_cast<CallBase>(&I)) {
          const Function *Callee = Call->getCalledFunction();
          const DILocation *Loc = Call->getDebugLoc().get();
          if (Callee && !Callee->isIntrinsic() && inSystemHeader(*Callee) && Loc &&
              Call->arg_size() > 0 && Call->getArgOperand(0)->getType()->isPointerTy()) {
            const std::string Name = Names.name(Call->getArgOperand(0));
            if (!Name.empty()) {
              CallObjects->addOperand(
                  MDNode::get(Ctx, {const_cast<DILocation *>(Loc), MDString::get(Ctx, Name)}));
              Changed = true;
            }
          }
          continue;
        }
        const Value *Pointer = nullptr;
        if (auto *Load = dyn_cast<LoadInst>(&I))
          Pointer = Load->getPointerOperand();
        else if (auto *Store = dyn_cast<StoreInst>(&I))
          Pointer = Store->getPointerOperand();
        else if (auto *RMW = dyn_cast<AtomicRMWInst>(&I))
          Pointer = RMW->getPointerOperand();
        else if (auto *CAS = dyn_cast<AtomicCmpXchgInst>(&I))
          Pointer = CAS->getPointerOperand();
        if (!Pointer)
          continue;
        const std::string Name = Names.name(Pointer);
        if (Name.empty())
          continue;
        I.setMetadata(Kind, MDNode::get(Ctx, MDString::get(Ctx, Name)));
        Changed = true;
      }
    }
  }
  return Changed ? PreservedAnalyses::allInSet<CFGAnalyses>() : PreservedAnalyses::all();
}

} // namespace interlace
