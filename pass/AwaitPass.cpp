//===- AwaitPass.cpp - switch points at co_await --------------------------===//
//
// Before coroutines are split, clang 19 lowers each co_await to: the awaiter's await_ready,
// a branch on it, then llvm.coro.await.suspend.* with a wrapper function named
// "<coroutine>.__await_suspend_wrapper__await[N]" (the initial and final suspends' wrappers end in
// __init and __final, co_yield's in __yield), then llvm.coro.suspend. This pass puts
// __interlace_await(site) before that branch, so it runs whether or not the co_await then
// suspends. Coroutines of system and library headers (Asio's own) get none: their co_awaits
// are the library's plumbing, not the user's.
//
// It runs at the pipeline start, with the marker pass: coroutines are split later.
//
//===----------------------------------------------------------------------===//

#include "AwaitPass.h"
#include "DebugLocations.h"

#include "llvm/ADT/Statistic.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Intrinsics.h"

#include <vector>

using namespace llvm;
using namespace interlace;

#define DEBUG_TYPE "interlace-await"

STATISTIC(NumAwaitCalls, "co_await switch points inserted");

namespace {

constexpr const char *AwaitFunction = "__interlace_await";
constexpr const char *DoneMetadata = "interlace.awaits";
constexpr unsigned AwaitSiteKind = 13; // INTERLACE_SITE_AWAIT

// True for the llvm.coro.await.suspend.* call (or invoke, when the awaiter may throw) of a
// co_await expression, not of an initial or final suspend, nor of a co_yield.
bool isCoAwait(const Instruction &I) {
  const auto *Call = dyn_cast<CallBase>(&I);
  const Function *Callee = Call ? Call->getCalledFunction() : nullptr;
  if (!Callee)
    return false;
  switch (Callee->getIntrinsicID()) {
  case Intrinsic::coro_await_suspend_void:
  case Intrinsic::coro_await_suspend_bool:
  case Intrinsic::coro_await_suspend_handle:
    break;
  default:
    return false;
  }
  const auto *Wrapper = dyn_cast<Function>(Call->getArgOperand(2)->stripPointerCasts());
  // "...__await", "...__await2", ... for the second and later co_awaits of a coroutine.
  return Wrapper && Wrapper->getName().contains("__await_suspend_wrapper__await");
}

class AwaitInserter {
public:
  explicit AwaitInserter(Module &M) : M(M), Ctx(M.getContext()) {}

  bool run() {
    Type *Ptr = PointerType::getUnqual(Ctx);
    Await = M.getOrInsertFunction(AwaitFunction, Type::getVoidTy(Ctx), Ptr);
    bool Changed = false;
    for (Function &F : M)
      if (F.isPresplitCoroutine() && isUserCode(F))
        Changed |= insertIn(F);
    return Changed;
  }

private:
  static bool isUserCode(const Function &F) {
    const DISubprogram *SP = F.getSubprogram();
    if (!SP)
      return false; // no location to report: compiled without -g
    const std::string Path = fullPath(SP);
    return !isSystemPath(Path) && !isLibraryHeaderPath(Path);
  }

  bool insertIn(Function &F) {
    std::vector<std::pair<Instruction *, const DILocation *>> Points;
    for (BasicBlock &BB : F) {
      for (Instruction &I : BB) {
        if (!isCoAwait(I))
          continue;
        // The branch on await_ready that leads here; the call goes before it.
        BasicBlock *Ready = BB.getSinglePredecessor();
        Instruction *Branch = Ready ? Ready->getTerminator() : nullptr;
        if (!Branch || !isa<BranchInst>(Branch))
          Branch = &*BB.getFirstInsertionPt();
        Points.emplace_back(Branch, I.getDebugLoc().get());
      }
    }
    for (auto [Before, Loc] : Points)
      insertBefore(*Before, F, Loc);
    return !Points.empty();
  }

  void insertBefore(Instruction &I, Function &F, const DILocation *Loc) {
    Type *I32 = Type::getInt32Ty(Ctx);
    StructType *SiteTy = siteType(M);
    const DISubprogram *SP = Loc ? Loc->getScope()->getSubprogram() : F.getSubprogram();
    auto *Site = new GlobalVariable(
        M, SiteTy, /*isConstant=*/true, GlobalValue::PrivateLinkage,
        ConstantStruct::get(SiteTy, {Strings.get(Loc ? fullPath(Loc->getScope()) : fullPath(SP)),
                                     Strings.get(SP ? qualifiedName(SP) : std::string("?")),
                                     ConstantInt::get(I32, Loc ? Loc->getLine() : 0),
                                     ConstantInt::get(I32, Loc ? Loc->getColumn() : 0),
                                     ConstantInt::get(I32, AwaitSiteKind), ConstantInt::get(I32, 0),
                                     ConstantPointerNull::get(PointerType::getUnqual(Ctx))}),
        "interlace.await.site");
    IRBuilder<> B(&I);
    CallInst *Call = B.CreateCall(Await, {Site});
    Call->setDebugLoc(I.getDebugLoc());
    ++NumAwaitCalls;
  }

  Module &M;
  LLVMContext &Ctx;
  StringConstants Strings{M, "interlace.await.str"};
  FunctionCallee Await;
};

} // namespace

namespace interlace {

PreservedAnalyses AwaitPass::run(Module &M, ModuleAnalysisManager &) {
  if (M.getNamedMetadata(DoneMetadata))
    return PreservedAnalyses::all(); // switch points already inserted
  M.getOrInsertNamedMetadata(DoneMetadata);
  return AwaitInserter(M).run() ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace interlace
