//===- InterlacePass.cpp - yield points for controlled scheduling ---------===//
//
// interlace runs the threads of a test one at a time and decides, before every
// shared-memory access, which thread goes next. This pass makes those decision
// points: before every load, store, atomicrmw, cmpxchg, fence and memory
// intrinsic that may touch shared memory it inserts a call into the runtime
// (rt/include/interlace/abi.h) with the address, the size and a static site
// record (file, line, column, function, kind) taken from debug info.
//
// Like ThreadSanitizer it runs at the optimizer-last extension point, so it sees
// optimized IR at -O1 and above and still runs at -O0. Unlike ThreadSanitizer it
// keeps a read's yield even when a write to the same address follows: merging
// the two would merge two scheduling steps and hide interleavings. Atomic
// instructions are kept as they are; the yield goes before them (we schedule,
// we do not emulate memory orders).
//
// Skipped, each with a statistic: accesses to allocas that do not escape,
// coroutine frames' bookkeeping and slots no other task can reach (CoroFrames.cpp),
// constant globals, thread-local variables, vtable-pointer loads, accesses
// outside address space 0; functions marked INTERLACE_NO_INSTRUMENT (an
// annotate attribute) or disable_sanitizer_instrumentation, and functions or
// source files matched by -interlace-ignorelist (LLVM's SpecialCaseList format,
// `fun:` and `src:` entries).
//
//===----------------------------------------------------------------------===//

#include "InterlacePass.h"
#include "AccessNames.h"
#include "CoroFrames.h"
#include "DebugLocations.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Analysis/CaptureTracking.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SpecialCaseList.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

using namespace llvm;
using namespace interlace;

#define DEBUG_TYPE "interlace"

// --- Options -----------------------------------------------------------------

static cl::list<std::string>
    ClIgnorelist("interlace-ignorelist", cl::Hidden,
                 cl::desc("Functions (fun:) and source files (src:) not to "
                          "instrument, in SpecialCaseList format"));

static cl::opt<bool>
    ClInstrumentMemIntrinsics("interlace-memintrinsics", cl::Hidden, cl::init(true),
                              cl::desc("Put yield points before memcpy, memmove and memset"));

static cl::opt<bool> ClSkipNonEscaping("interlace-skip-non-escaping", cl::Hidden, cl::init(true),
                                       cl::desc("Do not instrument accesses to allocas whose "
                                                "address never escapes"));

static cl::opt<bool> ClSkipCoroutineFrames(
    "interlace-skip-coroutine-frames", cl::Hidden, cl::init(true),
    cl::desc("Do not instrument coroutine frames' function pointers, nor their slots past the "
             "promise whose addresses do not escape"));

// --- Statistics --------------------------------------------------------------

STATISTIC(NumInstrumentedReads, "Reads instrumented");
STATISTIC(NumInstrumentedWrites, "Writes instrumented");
STATISTIC(NumInstrumentedAtomics, "Atomic read-modify-writes instrumented");
STATISTIC(NumInstrumentedFences, "Fences instrumented");
STATISTIC(NumInstrumentedMemIntrinsics, "Memory intrinsics instrumented");
STATISTIC(NumSkippedNonEscapingAlloca, "Accesses skipped: non-escaping alloca");
STATISTIC(NumSkippedCoroutineFrame,
          "Accesses skipped: coroutine frame bookkeeping or private slot");
STATISTIC(NumSkippedConstantGlobal, "Accesses skipped: constant global");
STATISTIC(NumSkippedThreadLocal, "Accesses skipped: thread-local variable");
STATISTIC(NumSkippedVtableLoad, "Accesses skipped: vtable pointer load");
STATISTIC(NumSkippedAddressSpace, "Accesses skipped: non-zero address space");
STATISTIC(NumSkippedSingleThreadFence, "Fences skipped: single-thread scope");
STATISTIC(NumSkippedNoSanitize, "Accesses skipped: nosanitize metadata");
STATISTIC(NumSkippedSwiftError, "Accesses skipped: swifterror value");
STATISTIC(NumInstrumentedMasked, "Masked and gather/scatter accesses instrumented");
STATISTIC(NumCallSites, "Calls into libraries that record their site");
STATISTIC(NumSkippedFunctionsAttribute, "Functions skipped: INTERLACE_NO_INSTRUMENT or "
                                        "disable_sanitizer_instrumentation");
STATISTIC(NumSkippedFunctionsIgnorelist, "Functions skipped: ignore list");

// --- Runtime ABI (rt/include/interlace/abi.h) -------------------------------

namespace abi {
constexpr unsigned Version = 7;
constexpr const char *RegisterModule = "__interlace_register_module";
constexpr const char *Read = "__interlace_read";
constexpr const char *Write = "__interlace_write";
constexpr const char *Rmw = "__interlace_rmw";
constexpr const char *Fence = "__interlace_fence";
constexpr const char *Alloc = "__interlace_alloc";
constexpr const char *CallSite = "__interlace_call_site";         // a thread-local pointer
constexpr const char *LibrarySteps = "__interlace_library_steps"; // a thread-local byte
constexpr const char *NoInstrumentAnnotation = "interlace_no_instrument";
constexpr const char *CtorName = "interlace.module_ctor";
constexpr const char *SiteTableName = "__interlace_sites";
constexpr unsigned SystemHeaderFlag = 1; // INTERLACE_SITE_SYSTEM_HEADER
constexpr unsigned LibraryCodeFlag = 2;  // INTERLACE_SITE_LIBRARY_CODE

enum SiteKind : unsigned {
  Load = 0,
  Store = 1,
  AtomicLoad = 2,
  AtomicStore = 3,
  AtomicRMW = 4,
  CmpXchg = 5,
  FenceKind = 6,
  MemCpy = 7,
  MemMove = 8,
  MemSet = 9,
  Allocation = 11,
  Call = 12,
};
} // namespace abi

namespace {

// Why an instruction or a function is not instrumented.
enum class SkipReason {
  None,
  NonEscapingAlloca,
  CoroutineFrame,
  ConstantGlobal,
  ThreadLocal,
  VtableLoad,
  AddressSpace,
  SingleThreadFence,
  NoSanitize,
  SwiftError,
  FunctionAttribute,
  Ignorelist,
};

[[maybe_unused]] const char *describe(SkipReason Reason) {
  switch (Reason) {
  case SkipReason::None:
    return "instrumented";
  case SkipReason::NonEscapingAlloca:
    return "non-escaping alloca";
  case SkipReason::CoroutineFrame:
    return "coroutine frame slot";
  case SkipReason::ConstantGlobal:
    return "constant global";
  case SkipReason::ThreadLocal:
    return "thread-local variable";
  case SkipReason::VtableLoad:
    return "vtable pointer load";
  case SkipReason::AddressSpace:
    return "non-zero address space";
  case SkipReason::SingleThreadFence:
    return "single-thread fence";
  case SkipReason::NoSanitize:
    return "nosanitize metadata";
  case SkipReason::SwiftError:
    return "swifterror value";
  case SkipReason::FunctionAttribute:
    return "function attribute";
  case SkipReason::Ignorelist:
    return "ignore list";
  }
  llvm_unreachable("unknown skip reason");
}

void count(SkipReason Reason) {
  switch (Reason) {
  case SkipReason::NonEscapingAlloca:
    ++NumSkippedNonEscapingAlloca;
    break;
  case SkipReason::CoroutineFrame:
    ++NumSkippedCoroutineFrame;
    break;
  case SkipReason::ConstantGlobal:
    ++NumSkippedConstantGlobal;
    break;
  case SkipReason::ThreadLocal:
    ++NumSkippedThreadLocal;
    break;
  case SkipReason::VtableLoad:
    ++NumSkippedVtableLoad;
    break;
  case SkipReason::AddressSpace:
    ++NumSkippedAddressSpace;
    break;
  case SkipReason::SingleThreadFence:
    ++NumSkippedSingleThreadFence;
    break;
  case SkipReason::NoSanitize:
    ++NumSkippedNoSanitize;
    break;
  case SkipReason::SwiftError:
    ++NumSkippedSwiftError;
    break;
  case SkipReason::FunctionAttribute:
    ++NumSkippedFunctionsAttribute;
    break;
  case SkipReason::Ignorelist:
    ++NumSkippedFunctionsIgnorelist;
    break;
  case SkipReason::None:
    break;
  }
}

// A static site record, as the runtime's interlace_site.
struct Site {
  std::string File;
  std::string Function;
  unsigned Line = 0;
  unsigned Column = 0;
  unsigned Kind = 0;
  unsigned Flags = 0;
  std::string Object; // from AccessNamesPass, or empty

  auto key() const { return std::tie(File, Function, Line, Column, Kind, Flags, Object); }
  bool operator<(const Site &Other) const { return key() < Other.key(); }
};

// One yield call to insert: which callee, before which instruction, for which
// address (null for fences) and size, at which site.
struct Yield {
  Instruction *Before;
  FunctionCallee Callee;
  Value *Address;
  Value *Size;
  unsigned SiteIndex;
};

// One allocation hook to insert: __interlace_alloc(Result, Size, site) before `Before` (the
// instruction after the allocating call).
struct AllocationHook {
  Instruction *Before;
  Value *Result;
  Value *Size;
  unsigned SiteIndex;
};

class Instrumenter {
public:
  explicit Instrumenter(Module &M) : M(M), Ctx(M.getContext()) {}

  bool initialize();
  void chooseInstructions(Function &F);
  bool instrument();

private:
  SkipReason skipFunction(const Function &F) const;
  SkipReason skipAccess(Instruction &I, Value *Address) const;
  void chooseLoadOrStore(Instruction &I);
  void chooseAtomic(Instruction &I);
  void chooseFence(FenceInst &I);
  void chooseMemIntrinsic(AnyMemIntrinsic &I);
  void chooseMaskedAccess(IntrinsicInst &I);
  void chooseAllocation(CallBase &Call);
  void chooseCallSite(CallBase &Call);
  void addYield(Instruction &I, FunctionCallee Callee, Value *Address, Value *Size, unsigned Kind);
  unsigned siteFor(const Instruction &I, unsigned Kind);
  Value *sizeOf(Type *Ty) const;
  void collectAnnotatedFunctions();
  GlobalVariable *emitSiteTable();
  GlobalVariable *emitGlobalsTable();
  void emitModuleConstructor(GlobalVariable *SiteTable, GlobalVariable *Globals);

  Module &M;
  LLVMContext &Ctx;
  std::unique_ptr<SpecialCaseList> Ignorelist;
  SmallPtrSet<const Function *, 8> NoInstrument;

  Type *Int8Ty = nullptr;
  Type *Int32Ty = nullptr;
  Type *Int64Ty = nullptr;
  PointerType *PtrTy = nullptr;
  StructType *SiteTy = nullptr;
  FunctionCallee ReadFn, WriteFn, RmwFn, FenceFn, AllocFn, RegisterFn;
  StructType *GlobalTy = nullptr;

  std::vector<Site> Sites;
  std::map<Site, unsigned> SiteIndex;
  std::vector<Yield> Yields;
  // Object names of library calls, by (scope, line, column) of the call: the inliner gives
  // the inlined code a distinct copy of the call's location, so pointers do not match.
  std::map<std::tuple<const DIScope *, unsigned, unsigned>, std::string> CallObjects;
  std::vector<AllocationHook> Allocations;
  std::vector<std::pair<Instruction *, unsigned>> CallSites; // call, site index
  size_t NumGlobals = 0;
  StringConstants Strings{M, "interlace.str"};
  std::unique_ptr<CoroFrames> Frames; // after initialize(), with -interlace-skip-coroutine-frames
};

bool Instrumenter::initialize() {
  if (!ClIgnorelist.empty()) {
    std::string Error;
    Ignorelist = SpecialCaseList::create(ClIgnorelist, *vfs::getRealFileSystem(), Error);
    if (!Ignorelist) {
      Ctx.emitError("interlace: cannot use -interlace-ignorelist: " + Error);
      return false;
    }
  }
  Int8Ty = Type::getInt8Ty(Ctx);
  Int32Ty = Type::getInt32Ty(Ctx);
  Int64Ty = Type::getInt64Ty(Ctx);
  PtrTy = PointerType::getUnqual(Ctx);
  SiteTy = siteType(M);
  Type *VoidTy = Type::getVoidTy(Ctx);
  ReadFn = M.getOrInsertFunction(abi::Read, VoidTy, PtrTy, Int64Ty, PtrTy);
  WriteFn = M.getOrInsertFunction(abi::Write, VoidTy, PtrTy, Int64Ty, PtrTy);
  RmwFn = M.getOrInsertFunction(abi::Rmw, VoidTy, PtrTy, Int64Ty, PtrTy);
  FenceFn = M.getOrInsertFunction(abi::Fence, VoidTy, PtrTy);
  AllocFn = M.getOrInsertFunction(abi::Alloc, VoidTy, PtrTy, Int64Ty, PtrTy);
  RegisterFn = M.getOrInsertFunction(abi::RegisterModule, VoidTy, Int32Ty, PtrTy, Int64Ty, PtrTy,
                                     Int64Ty, PtrTy);
  // Layout of interlace_global in abi.h.
  GlobalTy = StructType::get(Ctx, {PtrTy, Int64Ty, Int64Ty, PtrTy});
  collectAnnotatedFunctions();
  if (ClSkipCoroutineFrames)
    Frames = std::make_unique<CoroFrames>(M);
  if (const NamedMDNode *Calls = M.getNamedMetadata(CallObjectsMetadata))
    for (const MDNode *Pair : Calls->operands())
      if (const auto *Loc = dyn_cast<DILocation>(Pair->getOperand(0)))
        CallObjects.try_emplace({Loc->getScope(), Loc->getLine(), Loc->getColumn()},
                                cast<MDString>(Pair->getOperand(1))->getString().str());
  return true;
}

// Functions carrying __attribute__((annotate("interlace_no_instrument"))).
void Instrumenter::collectAnnotatedFunctions() {
  GlobalVariable *Annotations = M.getNamedGlobal("llvm.global.annotations");
  if (!Annotations || !Annotations->hasInitializer())
    return;
  auto *Array = dyn_cast<ConstantArray>(Annotations->getInitializer());
  if (!Array)
    return;
  for (Value *Op : Array->operands()) {
    auto *Entry = dyn_cast<ConstantStruct>(Op);
    if (!Entry || Entry->getNumOperands() < 2)
      continue;
    auto *F = dyn_cast<Function>(Entry->getOperand(0)->stripPointerCasts());
    auto *Text = dyn_cast<GlobalVariable>(Entry->getOperand(1)->stripPointerCasts());
    if (!F || !Text || !Text->hasInitializer())
      continue;
    auto *Data = dyn_cast<ConstantDataArray>(Text->getInitializer());
    if (Data && Data->isCString() && Data->getAsCString() == abi::NoInstrumentAnnotation)
      NoInstrument.insert(F);
  }
}

SkipReason Instrumenter::skipFunction(const Function &F) const {
  if (NoInstrument.contains(&F) || F.hasFnAttribute(Attribute::DisableSanitizerInstrumentation) ||
      F.hasFnAttribute(Attribute::Naked))
    return SkipReason::FunctionAttribute;
  if (Ignorelist) {
    if (Ignorelist->inSection("interlace", "fun", F.getName()) ||
        Ignorelist->inSection("interlace", "fun", demangle(F.getName())))
      return SkipReason::Ignorelist;
    std::string Source = M.getSourceFileName();
    if (const DISubprogram *SP = F.getSubprogram())
      Source = fullPath(SP);
    if (Ignorelist->inSection("interlace", "src", Source))
      return SkipReason::Ignorelist;
  }
  return SkipReason::None;
}

SkipReason Instrumenter::skipAccess(Instruction &I, Value *Address) const {
  if (I.hasMetadata(LLVMContext::MD_nosanitize))
    return SkipReason::NoSanitize;
  if (Address->getType()->getPointerAddressSpace() != 0)
    return SkipReason::AddressSpace;
  // A swifterror value may only be loaded, stored or passed as a swifterror argument.
  if (Address->isSwiftError())
    return SkipReason::SwiftError;
  if (MDNode *Tag = I.getMetadata(LLVMContext::MD_tbaa); Tag && Tag->isTBAAVtableAccess())
    return SkipReason::VtableLoad;
  const Value *Object = getUnderlyingObject(Address);
  if (const auto *Intrinsic = dyn_cast<IntrinsicInst>(Object);
      Intrinsic && Intrinsic->getIntrinsicID() == Intrinsic::threadlocal_address)
    Object = getUnderlyingObject(Intrinsic->getArgOperand(0));
  if (const auto *Global = dyn_cast<GlobalVariable>(Object)) {
    if (Global->isConstant())
      return SkipReason::ConstantGlobal;
    if (Global->isThreadLocal())
      return SkipReason::ThreadLocal;
  }
  if (ClSkipNonEscaping && isa<AllocaInst>(Object) &&
      !PointerMayBeCaptured(Object, /*ReturnCaptures=*/true, /*StoreCaptures=*/true))
    return SkipReason::NonEscapingAlloca;
  return SkipReason::None;
}

void Instrumenter::chooseInstructions(Function &F) {
  if (F.isDeclaration() || F.hasAvailableExternallyLinkage() || F.getName() == abi::CtorName)
    return;
  if (SkipReason Reason = skipFunction(F); Reason != SkipReason::None) {
    count(Reason);
    LLVM_DEBUG(dbgs() << "interlace: skip function " << F.getName() << ": " << describe(Reason)
                      << "\n");
    return;
  }
  for (Instruction &I : instructions(F)) {
    if (isa<LoadInst>(I) || isa<StoreInst>(I))
      chooseLoadOrStore(I);
    else if (isa<AtomicRMWInst>(I) || isa<AtomicCmpXchgInst>(I))
      chooseAtomic(I);
    else if (auto *Fence = dyn_cast<FenceInst>(&I))
      chooseFence(*Fence);
    else if (auto *Mem = dyn_cast<AnyMemIntrinsic>(&I); Mem && ClInstrumentMemIntrinsics)
      chooseMemIntrinsic(*Mem);
    else if (auto *Intrinsic = dyn_cast<IntrinsicInst>(&I))
      chooseMaskedAccess(*Intrinsic);
    else if (auto *Call = dyn_cast<CallBase>(&I)) {
      chooseAllocation(*Call);
      chooseCallSite(*Call);
    }
  }
}

void Instrumenter::chooseLoadOrStore(Instruction &I) {
  const bool IsStore = isa<StoreInst>(I);
  Value *Address = getLoadStorePointerOperand(&I);
  Type *Ty = IsStore ? cast<StoreInst>(I).getValueOperand()->getType() : I.getType();
  SkipReason Reason = skipAccess(I, Address);
  if (Reason == SkipReason::None && Frames &&
      Frames->isPrivate(I, Address, M.getDataLayout().getTypeStoreSize(Ty)))
    Reason = SkipReason::CoroutineFrame;
  if (Reason != SkipReason::None) {
    count(Reason);
    LLVM_DEBUG(dbgs() << "interlace: skip " << I << ": " << describe(Reason) << "\n");
    return;
  }
  const bool Atomic = I.isAtomic();
  if (IsStore) {
    ++NumInstrumentedWrites;
    addYield(I, WriteFn, Address, sizeOf(Ty), Atomic ? abi::AtomicStore : abi::Store);
  } else {
    ++NumInstrumentedReads;
    addYield(I, ReadFn, Address, sizeOf(Ty), Atomic ? abi::AtomicLoad : abi::Load);
  }
}

void Instrumenter::chooseAtomic(Instruction &I) {
  Value *Address;
  Type *Ty;
  unsigned Kind;
  if (auto *RMW = dyn_cast<AtomicRMWInst>(&I)) {
    Address = RMW->getPointerOperand();
    Ty = RMW->getValOperand()->getType();
    Kind = abi::AtomicRMW;
  } else {
    auto *CAS = cast<AtomicCmpXchgInst>(&I);
    Address = CAS->getPointerOperand();
    Ty = CAS->getCompareOperand()->getType();
    Kind = abi::CmpXchg;
  }
  if (SkipReason Reason = skipAccess(I, Address); Reason != SkipReason::None) {
    count(Reason);
    return;
  }
  ++NumInstrumentedAtomics;
  addYield(I, RmwFn, Address, sizeOf(Ty), Kind);
}

void Instrumenter::chooseFence(FenceInst &I) {
  if (I.getSyncScopeID() == SyncScope::SingleThread) {
    count(SkipReason::SingleThreadFence);
    return;
  }
  ++NumInstrumentedFences;
  addYield(I, FenceFn, nullptr, nullptr, abi::FenceKind);
}

void Instrumenter::chooseMemIntrinsic(AnyMemIntrinsic &I) {
  auto *Transfer = dyn_cast<AnyMemTransferInst>(&I);
  Value *Source = Transfer ? Transfer->getSource() : nullptr;
  const SkipReason SourceSkip = Source ? skipAccess(I, Source) : SkipReason::None;
  const SkipReason DestSkip = skipAccess(I, I.getDest());
  if ((!Source || SourceSkip != SkipReason::None) && DestSkip != SkipReason::None) {
    count(DestSkip);
    return;
  }
  ++NumInstrumentedMemIntrinsics;
  Value *Size = IRBuilder<>(&I).CreateZExtOrTrunc(I.getLength(), Int64Ty);
  const unsigned Kind = !Transfer                 ? abi::MemSet
                        : isa<AnyMemMoveInst>(&I) ? abi::MemMove
                                                  : abi::MemCpy;
  if (Source && SourceSkip == SkipReason::None)
    addYield(I, ReadFn, Source, Size, Kind);
  if (DestSkip == SkipReason::None)
    addYield(I, WriteFn, I.getDest(), Size, Kind);
}

// Vector accesses under a mask (AVX-512, SVE) and gathers/scatters. A gather or scatter
// touches one address per lane; its yield names the first lane's address and one element.
void Instrumenter::chooseMaskedAccess(IntrinsicInst &I) {
  Value *Address = nullptr;
  Type *Ty = nullptr;
  bool IsWrite = false;
  switch (I.getIntrinsicID()) {
  case Intrinsic::masked_load:
    Address = I.getArgOperand(0);
    Ty = I.getType();
    break;
  case Intrinsic::masked_store:
    Address = I.getArgOperand(1);
    Ty = I.getArgOperand(0)->getType();
    IsWrite = true;
    break;
  case Intrinsic::masked_gather:
  case Intrinsic::masked_scatter: {
    IsWrite = I.getIntrinsicID() == Intrinsic::masked_scatter;
    Value *Pointers = I.getArgOperand(IsWrite ? 1 : 0);
    Ty = (IsWrite ? I.getArgOperand(0)->getType() : I.getType())->getScalarType();
    Address = IRBuilder<>(&I).CreateExtractElement(Pointers, uint64_t(0));
    break;
  }
  default:
    return;
  }
  if (SkipReason Reason = skipAccess(I, Address); Reason != SkipReason::None) {
    count(Reason);
    return;
  }
  ++NumInstrumentedMasked;
  addYield(I, IsWrite ? WriteFn : ReadFn, Address, sizeOf(Ty), IsWrite ? abi::Store : abi::Load);
}

// Heap allocations, so that reports can say "heap object allocated at file:line". The size
// argument of each allocation function, by name (operator new in all its forms, the C ones).
void Instrumenter::chooseAllocation(CallBase &Call) {
  const Function *Callee = Call.getCalledFunction();
  if (!Callee || Call.getType() != PtrTy)
    return;
  const StringRef Name = Callee->getName();
  const bool IsNew = Name.starts_with("_Znwm") || Name.starts_with("_Znam");
  int SizeArgument = -1;
  if (IsNew || Name == "malloc" || Name == "calloc")
    SizeArgument = 0;
  else if (Name == "realloc" || Name == "aligned_alloc")
    SizeArgument = 1;
  if (SizeArgument < 0 || Call.arg_size() <= static_cast<unsigned>(SizeArgument))
    return;
  // The hook goes right after the call; for an invoke, at the start of its normal successor
  // when that block is reached only from here.
  Instruction *Before = Call.getNextNode();
  if (auto *Invoke = dyn_cast<InvokeInst>(&Call)) {
    BasicBlock *Normal = Invoke->getNormalDest();
    if (!Normal->getSinglePredecessor())
      return;
    Before = &*Normal->getFirstInsertionPt();
  }
  IRBuilder<> B(Before);
  Value *Size =
      B.CreateZExtOrTrunc(Call.getArgOperand(static_cast<unsigned>(SizeArgument)), Int64Ty);
  if (Name == "calloc")
    Size = B.CreateMul(Size, B.CreateZExtOrTrunc(Call.getArgOperand(1), Int64Ty));
  Allocations.push_back(AllocationHook{Before, &Call, Size, siteFor(Call, abi::Allocation)});
}

// Before a call from user code into a library (a declaration, or code from a system header)
// the call's site goes into the thread-local __interlace_call_site: the runtime's interceptors
// then know where a lock was taken or a wait began (std::mutex::lock at -O0 calls
// pthread_mutex_lock from libstdc++'s code; this is the user's line that led there).
void Instrumenter::chooseCallSite(CallBase &Call) {
  const Function *Callee = Call.getCalledFunction();
  if (!Callee || Callee->isIntrinsic() || Call.isInlineAsm() ||
      Callee->getName().starts_with("__interlace"))
    return;
  const DISubprogram *CalleeSP = Callee->getSubprogram();
  const bool IntoLibrary =
      Callee->isDeclaration() || (CalleeSP && isSystemPath(fullPath(CalleeSP)));
  // From user code: some frame of the call's inline chain is the user's (user code is often
  // inlined into library code, e.g. a lambda into std::function's invoker).
  bool FromUserCode = false;
  if (const DILocation *Loc = Call.getDebugLoc().get()) {
    for (const DILocation *Frame = Loc; Frame && !FromUserCode; Frame = Frame->getInlinedAt())
      FromUserCode = !isSystemPath(fullPath(Frame->getScope()));
  } else {
    const DISubprogram *CallerSP = Call.getFunction()->getSubprogram();
    FromUserCode = !CallerSP || !isSystemPath(fullPath(CallerSP));
  }
  if (!IntoLibrary || !FromUserCode)
    return;
  ++NumCallSites;
  CallSites.emplace_back(&Call, siteFor(Call, abi::Call));
}

Value *Instrumenter::sizeOf(Type *Ty) const {
  const TypeSize Size = M.getDataLayout().getTypeStoreSize(Ty);
  return ConstantInt::get(Int64Ty, Size.getKnownMinValue());
}

void Instrumenter::addYield(Instruction &I, FunctionCallee Callee, Value *Address, Value *Size,
                            unsigned Kind) {
  Yields.push_back(Yield{&I, Callee, Address, Size, siteFor(I, Kind)});
}

// The site of an instruction: its source location, or for code inlined from a
// system header (std::atomic, std::vector) the first user frame it was inlined
// into, because that is the line a person will recognise.
unsigned Instrumenter::siteFor(const Instruction &I, unsigned Kind) {
  Site S;
  S.Kind = Kind;
  const DILocation *Loc = I.getDebugLoc().get();
  if (Loc) {
    const DILocation *Chosen = Loc;
    for (const DILocation *Frame = Loc; Frame; Frame = Frame->getInlinedAt()) {
      if (!isSystemPath(fullPath(Frame->getScope()))) {
        Chosen = Frame;
        break;
      }
    }
    S.File = fullPath(Chosen->getScope());
    if (isSystemPath(S.File))
      S.Flags |= abi::SystemHeaderFlag;
    // Some frame is a third-party library's header code: the access is the library's work
    // (inside a container's method), whichever line it is shown at.
    for (const DILocation *Frame = Loc; Frame; Frame = Frame->getInlinedAt()) {
      if (isLibraryHeaderPath(fullPath(Frame->getScope())) ||
          isLibraryHeaderPath(fullPath(Frame->getScope()->getSubprogram()))) {
        S.Flags |= abi::LibraryCodeFlag;
        break;
      }
    }
    S.Line = Chosen->getLine();
    S.Column = Chosen->getColumn();
    if (const DISubprogram *SP = Chosen->getScope()->getSubprogram())
      S.Function = qualifiedName(SP);
  } else {
    S.File = "?";
    S.Function = demangle(I.getFunction()->getName());
    // No location (code the compiler made, such as a coroutine's frame handling): the
    // function's own file says whose code it is.
    if (const DISubprogram *SP = I.getFunction()->getSubprogram()) {
      const std::string Path = fullPath(SP);
      if (isSystemPath(Path))
        S.Flags |= abi::SystemHeaderFlag;
      if (isLibraryHeaderPath(Path))
        S.Flags |= abi::LibraryCodeFlag;
    }
  }
  if (const MDNode *Object = I.getMetadata(ObjectMetadata)) {
    S.Object = cast<MDString>(Object->getOperand(0))->getString().str();
  } else if (Loc) {
    // Library code inlined into a call on a named object: the innermost such call names it.
    for (const DILocation *Call = Loc->getInlinedAt(); Call && S.Object.empty();
         Call = Call->getInlinedAt()) {
      auto It = CallObjects.find({Call->getScope(), Call->getLine(), Call->getColumn()});
      if (It != CallObjects.end())
        S.Object = It->second;
    }
  }
  auto [It, Inserted] = SiteIndex.try_emplace(S, Sites.size());
  if (Inserted)
    Sites.push_back(S);
  return It->second;
}

GlobalVariable *Instrumenter::emitSiteTable() {
  std::vector<Constant *> Records;
  Records.reserve(Sites.size());
  for (const Site &S : Sites) {
    Constant *Object = S.Object.empty() ? ConstantPointerNull::get(PtrTy) : Strings.get(S.Object);
    Records.push_back(ConstantStruct::get(
        SiteTy, {Strings.get(S.File), Strings.get(S.Function), ConstantInt::get(Int32Ty, S.Line),
                 ConstantInt::get(Int32Ty, S.Column), ConstantInt::get(Int32Ty, S.Kind),
                 ConstantInt::get(Int32Ty, S.Flags), Object}));
  }
  auto *TableTy = ArrayType::get(SiteTy, Records.size());
  return new GlobalVariable(M, TableTy, /*isConstant=*/true, GlobalValue::PrivateLinkage,
                            ConstantArray::get(TableTy, Records), abi::SiteTableName);
}

// The module's own mutable globals, so that reports can name their addresses.
GlobalVariable *Instrumenter::emitGlobalsTable() {
  const DataLayout &DL = M.getDataLayout();
  std::vector<Constant *> Records;
  for (GlobalVariable &GV : M.globals()) {
    if (GV.isDeclaration() || GV.isConstant() || GV.isThreadLocal() ||
        GV.hasAvailableExternallyLinkage() || GV.getAddressSpace() != 0 ||
        GV.getName().starts_with("llvm.") || GV.getName().starts_with("__interlace") ||
        GV.getName().starts_with("interlace."))
      continue;
    Type *Ty = GV.getValueType();
    const uint64_t Size = DL.getTypeAllocSize(Ty).getKnownMinValue();
    uint64_t ElementSize = Size;
    if (auto *Array = dyn_cast<ArrayType>(Ty))
      ElementSize = DL.getTypeAllocSize(Array->getElementType()).getKnownMinValue();
    std::string Name = demangle(GV.getName());
    SmallVector<DIGlobalVariableExpression *, 1> Expressions;
    GV.getDebugInfo(Expressions);
    if (!Expressions.empty() && Expressions.front()->getVariable())
      Name = Expressions.front()->getVariable()->getName().str();
    Records.push_back(
        ConstantStruct::get(GlobalTy, {&GV, ConstantInt::get(Int64Ty, Size),
                                       ConstantInt::get(Int64Ty, ElementSize), Strings.get(Name)}));
  }
  NumGlobals = Records.size();
  auto *TableTy = ArrayType::get(GlobalTy, Records.size());
  return new GlobalVariable(M, TableTy, /*isConstant=*/true, GlobalValue::PrivateLinkage,
                            ConstantArray::get(TableTy, Records), "__interlace_globals");
}

void Instrumenter::emitModuleConstructor(GlobalVariable *SiteTable, GlobalVariable *Globals) {
  auto *Ctor = Function::Create(FunctionType::get(Type::getVoidTy(Ctx), false),
                                GlobalValue::InternalLinkage, abi::CtorName, M);
  IRBuilder<> B(BasicBlock::Create(Ctx, "entry", Ctor));
  Constant *Name = B.CreateGlobalStringPtr(M.getModuleIdentifier(), "interlace.module");
  B.CreateCall(RegisterFn, {ConstantInt::get(Int32Ty, abi::Version), SiteTable,
                            ConstantInt::get(Int64Ty, Sites.size()), Globals,
                            ConstantInt::get(Int64Ty, NumGlobals), Name});
  B.CreateRetVoid();
  appendToGlobalCtors(M, Ctor, /*Priority=*/0);
}

bool Instrumenter::instrument() {
  GlobalVariable *Globals = emitGlobalsTable();
  GlobalVariable *Table = emitSiteTable();
  auto *TableTy = cast<ArrayType>(Table->getValueType());
  MDNode *NoSanitize = MDNode::get(Ctx, {});
  GlobalVariable *LibrarySteps = nullptr;
  for (const Yield &Y : Yields) {
    Instruction *Before = Y.Before;
    if ((Sites[Y.SiteIndex].Flags & abi::LibraryCodeFlag) != 0) {
      // A third-party library's access is a step only where the runtime says so (not in async
      // tasks, where each handler runs hundreds of Asio's): a thread-local byte, tested here,
      // spares the call elsewhere.
      if (!LibrarySteps) {
        LibrarySteps = cast<GlobalVariable>(M.getOrInsertGlobal(abi::LibrarySteps, Int8Ty));
        LibrarySteps->setThreadLocalMode(GlobalValue::InitialExecTLSModel);
      }
      IRBuilder<> Test(Before);
      LoadInst *On = Test.CreateLoad(Int8Ty, Test.CreateThreadLocalAddress(LibrarySteps));
      On->setMetadata(LLVMContext::MD_nosanitize, NoSanitize);
      Before = SplitBlockAndInsertIfThen(Test.CreateIsNotNull(On), Before, /*Unreachable=*/false);
    }
    IRBuilder<> B(Before);
    Constant *SitePtr = ConstantExpr::getInBoundsGetElementPtr(
        TableTy, Table,
        ArrayRef<Constant *>{ConstantInt::get(Int64Ty, 0), ConstantInt::get(Int64Ty, Y.SiteIndex)});
    CallInst *Call = Y.Address ? B.CreateCall(Y.Callee, {Y.Address, Y.Size, SitePtr})
                               : B.CreateCall(Y.Callee, {SitePtr});
    Call->setDebugLoc(Y.Before->getDebugLoc());
    Call->setMetadata(LLVMContext::MD_nosanitize, NoSanitize);
  }
  for (const AllocationHook &A : Allocations) {
    IRBuilder<> B(A.Before);
    Constant *SitePtr = ConstantExpr::getInBoundsGetElementPtr(
        TableTy, Table,
        ArrayRef<Constant *>{ConstantInt::get(Int64Ty, 0), ConstantInt::get(Int64Ty, A.SiteIndex)});
    CallInst *Call = B.CreateCall(AllocFn, {A.Result, A.Size, SitePtr});
    Call->setDebugLoc(cast<Instruction>(A.Result)->getDebugLoc());
    Call->setMetadata(LLVMContext::MD_nosanitize, NoSanitize);
  }
  if (!CallSites.empty()) {
    auto *CallSiteSlot = cast<GlobalVariable>(M.getOrInsertGlobal(abi::CallSite, PtrTy));
    CallSiteSlot->setThreadLocalMode(GlobalValue::InitialExecTLSModel);
    for (const auto &[Call, SiteIndex] : CallSites) {
      IRBuilder<> B(Call);
      Constant *SitePtr = ConstantExpr::getInBoundsGetElementPtr(
          TableTy, Table,
          ArrayRef<Constant *>{ConstantInt::get(Int64Ty, 0), ConstantInt::get(Int64Ty, SiteIndex)});
      StoreInst *Store = B.CreateStore(SitePtr, B.CreateThreadLocalAddress(CallSiteSlot));
      Store->setMetadata(LLVMContext::MD_nosanitize, NoSanitize);
    }
  }
  emitModuleConstructor(Table, Globals);
  return true;
}

} // namespace

namespace interlace {

PreservedAnalyses InterlacePass::run(Module &M, ModuleAnalysisManager &) {
  if (M.getFunction(abi::CtorName))
    return PreservedAnalyses::all(); // already instrumented (e.g. the pass ran twice)
  Instrumenter I(M);
  if (!I.initialize())
    return PreservedAnalyses::all();
  for (Function &F : M)
    I.chooseInstructions(F);
  I.instrument();
  return PreservedAnalyses::none();
}

} // namespace interlace
