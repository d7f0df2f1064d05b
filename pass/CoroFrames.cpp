//===- CoroFrames.cpp - coroutine frame slots no other task can reach ----===//
//
// CoroSplit turns a C++ coroutine into a ramp (which allocates the frame) and .resume, .destroy
// and .cleanup functions that take the frame as their argument. The frame holds, in the order
// LLVM 19 lays out the switch ABI: the resume and destroy function pointers, the promise, then
// the suspend index, the allocas that live across a suspend and the values spilled there. The
// instrumentation pass runs after the split and would log every access to these slots as a
// heap access, although most belong to the coroutine alone.
//
// What can reach a frame slot from outside the coroutine's own code:
//   - the coroutine_handle API: resume(), destroy() and done() read the two function pointers,
//     promise() reaches the promise. The function pointers are the frame's bookkeeping, which
//     only the coroutine and whoever resumes or destroys it use: storing them (the ramp, the
//     final suspend) and loading them to call them on the handle are never steps. The promise
//     stays shared.
//   - an address the coroutine lets out: a local passed by reference to a call that keeps it,
//     stored to memory, returned. LLVM's capture tracking finds these, starting from every
//     frame pointer in the module: the argument of the split functions, and wherever the ramp
//     is (inlined or not) the pointer it stores the resume function to.
// After the split a slot's extent is not known, so an escaping address at offset N shares
// every slot within the largest escaping alloca's size of N, either side (CoroSlotsPass
// measures it just before the split; without it, every slot past the promise is shared). A
// slot past the promise that no escaping address reaches is private: the suspend index, the
// values spilled across a suspend, locals whose address never leaves the coroutine. Anything
// this file does not follow (a frame pointer through a phi, a resume function used other than
// stored) leaves the coroutine's slots past the header shared.
//
// Not covered: an allocator inlined into .destroy that links the freed frame into a free list
// through a slot past the promise, or stores null as the next block through the header (only
// coroutine functions and null stored there are skipped; in a ramp, only accesses after the
// resume pointer is stored count as the frame's).
//
// The promise's extent is known only before the split: CoroFramePass records it at the
// pipeline start, as function metadata, which CoroSplit copies to the split functions.
//
//===----------------------------------------------------------------------===//

#include "CoroFrames.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Analysis/CaptureTracking.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Metadata.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <array>

using namespace llvm;

namespace {

constexpr const char *FrameMetadata = "interlace.coro.frame";
constexpr const char *SlotsMetadata = "interlace.coro.slots";

// The name of the coroutine whose split function this is: "f" for "f.resume", "f.destroy" and
// "f.cleanup"; empty otherwise.
StringRef coroutineName(const Function &F) {
  constexpr std::array<StringRef, 3> Parts = {".resume", ".destroy", ".cleanup"};
  StringRef Name = F.getName();
  for (StringRef Suffix : Parts)
    if (Name.consume_back(Suffix))
      return Name;
  return {};
}

// The coroutine's own llvm.coro.id(align, promise, coroaddr, fnaddrs): clang leaves coroaddr
// null and CoroEarly sets it to the coroutine; ramps of coroutines already split and inlined
// here bring theirs.
const IntrinsicInst *coroId(Function &F) {
  for (Instruction &I : instructions(F)) {
    const auto *Id = dyn_cast<IntrinsicInst>(&I);
    if (!Id || Id->getIntrinsicID() != Intrinsic::coro_id)
      continue;
    const Value *Self = Id->getArgOperand(2)->stripPointerCasts();
    if (Self == &F || isa<ConstantPointerNull>(Self))
      return Id;
  }
  return nullptr;
}

// The address in V as a constant offset from what it is based on.
const Value *stripOffset(const Value *V, const DataLayout &DL, int64_t &Offset) {
  APInt Bytes(DL.getIndexTypeSizeInBits(V->getType()), 0);
  const Value *Base = V->stripAndAccumulateConstantOffsets(DL, Bytes, /*AllowNonInbounds=*/true);
  Offset = Bytes.getSExtValue();
  return Base;
}

} // namespace

namespace interlace {

PreservedAnalyses CoroFramePass::run(Module &M, ModuleAnalysisManager &) {
  const DataLayout &DL = M.getDataLayout();
  const uint64_t HeaderEnd = 2 * static_cast<uint64_t>(DL.getPointerSize());
  bool Changed = false;
  for (Function &F : M) {
    const IntrinsicInst *Id =
        F.isPresplitCoroutine() && !F.getMetadata(FrameMetadata) ? coroId(F) : nullptr;
    if (!Id)
      continue;
    // CoroSplit puts the promise right after the two function pointers, at its alignment.
    uint64_t PromiseEnd = HeaderEnd;
    if (!isa<ConstantPointerNull>(Id->getArgOperand(1))) {
      const auto *Promise = dyn_cast<AllocaInst>(Id->getArgOperand(1)->stripPointerCasts());
      const std::optional<TypeSize> Size = Promise ? Promise->getAllocationSize(DL) : std::nullopt;
      if (!Size || Size->isScalable())
        continue; // no metadata: the split functions' slots stay shared
      PromiseEnd = alignTo(HeaderEnd, Promise->getAlign()) + Size->getFixedValue();
    }
    Type *I64 = Type::getInt64Ty(M.getContext());
    F.setMetadata(
        FrameMetadata,
        MDNode::get(M.getContext(), {ConstantAsMetadata::get(ConstantInt::get(I64, HeaderEnd)),
                                     ConstantAsMetadata::get(ConstantInt::get(I64, PromiseEnd))}));
    Changed = true;
  }
  return Changed ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

PreservedAnalyses CoroSlotsPass::run(Function &F, FunctionAnalysisManager &) {
  if (!F.isPresplitCoroutine())
    return PreservedAnalyses::all();
  const DataLayout &DL = F.getDataLayout();
  // The promise escapes to llvm.coro.id, and is shared as a whole anyway.
  const IntrinsicInst *Id = coroId(F);
  const Value *Promise = Id ? Id->getArgOperand(1)->stripPointerCasts() : nullptr;
  uint64_t Largest = 0;
  for (Instruction &I : instructions(F)) {
    const auto *Alloca = dyn_cast<AllocaInst>(&I);
    if (!Alloca || Alloca == Promise ||
        !PointerMayBeCaptured(Alloca, /*ReturnCaptures=*/true, /*StoreCaptures=*/true))
      continue;
    const std::optional<TypeSize> Size = Alloca->getAllocationSize(DL);
    if (!Size || Size->isScalable()) {
      F.setMetadata(SlotsMetadata, nullptr); // no bound: escapes share every slot
      return PreservedAnalyses::all();
    }
    Largest = std::max(Largest, Size->getFixedValue());
  }
  // Function simplification may run more than once before the split: the last record counts.
  F.setMetadata(SlotsMetadata,
                MDNode::get(F.getContext(), {ConstantAsMetadata::get(ConstantInt::get(
                                                Type::getInt64Ty(F.getContext()), Largest))}));
  return PreservedAnalyses::all();
}

CoroFrames::CoroFrames(Module &M) : DL(M.getDataLayout()) {
  SmallVector<std::pair<Function *, Coroutine *>, 8> Resumes;
  for (Function &F : M) {
    Coroutine *C = F.isDeclaration() ? nullptr : coroutineOf(F);
    if (!C)
      continue;
    if (F.arg_size() == 1 && F.getArg(0)->getType()->isPointerTy()) {
      addBase(F.getArg(0), *C);
      // CoroSplit marks the frame argument dereferenceable for the whole frame.
      const uint64_t Size = F.getParamDereferenceableBytes(0);
      if (Size == 0 || (C->FrameEnd != 0 && C->FrameEnd != Size))
        C->Known = false;
      C->FrameEnd = Size;
    } else {
      C->Known = false;
    }
    if (F.getName().ends_with(".resume"))
      Resumes.emplace_back(&F, C);
  }
  for (auto [Resume, C] : Resumes)
    findRampFrames(*Resume, *C);
  for (auto [Base, C] : Bases)
    trackEscapes(Base, *C);
}

CoroFrames::Coroutine *CoroFrames::coroutineOf(const Function &Part) {
  const StringRef Name = coroutineName(Part);
  const MDNode *Frame = Part.getMetadata(FrameMetadata);
  if (Name.empty() || !Frame || Frame->getNumOperands() != 2)
    return nullptr;
  const auto *HeaderEnd = mdconst::dyn_extract<ConstantInt>(Frame->getOperand(0));
  const auto *PromiseEnd = mdconst::dyn_extract<ConstantInt>(Frame->getOperand(1));
  if (!HeaderEnd || !PromiseEnd)
    return nullptr;
  auto [It, Inserted] = Coroutines.try_emplace(Name);
  Coroutine &C = It->second;
  const MDNode *Slots = Part.getMetadata(SlotsMetadata);
  const auto *Largest = Slots && Slots->getNumOperands() == 1
                            ? mdconst::dyn_extract<ConstantInt>(Slots->getOperand(0))
                            : nullptr;
  if (Inserted) {
    C.HeaderEnd = HeaderEnd->getZExtValue();
    C.PromiseEnd = PromiseEnd->getZExtValue();
    if (Largest)
      C.LargestEscaping = Largest->getZExtValue();
  } else if (C.HeaderEnd != HeaderEnd->getZExtValue() ||
             C.PromiseEnd != PromiseEnd->getZExtValue() ||
             C.LargestEscaping !=
                 (Largest ? std::optional(Largest->getZExtValue()) : std::nullopt)) {
    C.Known = false; // the split functions disagree on the layout
  }
  return &C;
}

void CoroFrames::addBase(const Value *Base, Coroutine &C) {
  auto [It, Inserted] = Bases.try_emplace(Base, &C);
  if (!Inserted && It->second != &C) {
    // One pointer, two coroutines' frames: trust neither layout.
    It->second->Known = false;
    C.Known = false;
  }
}

// The ramp stores the resume function to offset 0 of the frame it allocated; wherever the ramp
// was inlined, that pointer is a frame of this coroutine. Any other use of the resume function
// (a direct call after devirtualisation) is a frame this file does not see.
void CoroFrames::findRampFrames(Function &Resume, Coroutine &C) {
  for (const User *U : Resume.users()) {
    if (isa<ConstantAggregate>(U) || isa<GlobalVariable>(U))
      continue; // the coroutine's table of resumers, which no code reads after the split
    const auto *Store = dyn_cast<StoreInst>(U);
    int64_t Offset = 0;
    const Value *Frame = Store && Store->getValueOperand() == &Resume
                             ? stripOffset(Store->getPointerOperand(), DL, Offset)
                             : nullptr;
    if (!Frame || Offset != 0) {
      C.Known = false;
      continue;
    }
    // The frame may be a phi of allocations (heap or elided): each is the frame, and an
    // address derived from one before the phi escapes as surely as from the phi.
    SmallVector<const Value *, 4> Objects;
    getUnderlyingObjects(Frame, Objects);
    if (!is_contained(Objects, Frame))
      Objects.push_back(Frame);
    for (const Value *Object : Objects) {
      if (isa<ConstantPointerNull>(Object))
        continue;
      addBase(Object, C);
      if (!RampStores.try_emplace(Object, Store).second)
        C.Known = false; // one allocation, two frames: dominance says nothing
    }
  }
}

namespace {

// Adds to Coroutine::Shared the bytes every captured address of the frame may reach.
class SlotEscapes : public CaptureTracker {
public:
  SlotEscapes(const Value *Base, const DataLayout &DL, const SmallPtrSetImpl<const Value *> &Frame,
              CoroFrames::Coroutine &C)
      : Base(Base), DL(DL), Frame(Frame), C(C) {}

  void tooManyUses() override { C.Known = false; }

  bool captured(const Use *U) override {
    int64_t Offset = 0;
    const Value *From = stripOffset(U->get(), DL, Offset);
    if (From != Base && !Frame.contains(From)) {
      C.Known = false; // through a phi or a variable index: where in the frame is not known
      return false;
    }
    // The frame pointer itself is a handle; an address in the header or the promise reaches
    // what handles reach anyway.
    if (Offset >= 0 && static_cast<uint64_t>(Offset) < C.PromiseEnd)
      return false;
    if (Offset < 0 || !C.LargestEscaping) {
      C.Known = false;
    } else {
      // The address points into an object of at most LargestEscaping bytes, maybe not at its
      // start (a member's address reaches the whole object through container_of).
      const uint64_t At = Offset;
      const uint64_t Reach = *C.LargestEscaping;
      C.Shared.emplace_back(At >= Reach ? At - Reach + 1 : 0, At + Reach);
    }
    return false; // go on: every escaping slot counts
  }

private:
  const Value *Base;
  const DataLayout &DL;
  const SmallPtrSetImpl<const Value *> &Frame;
  CoroFrames::Coroutine &C;
};

} // namespace

void CoroFrames::trackEscapes(const Value *Base, Coroutine &C) {
  // Addresses computed from another pointer to the same frame (the allocation behind a phi).
  SmallPtrSet<const Value *, 4> Frame;
  for (auto [Other, OtherC] : Bases)
    if (OtherC == &C)
      Frame.insert(Other);
  SlotEscapes Tracker(Base, DL, Frame, C);
  // A frame pointer has a use per slot access, often more than the default 100 to explore.
  PointerMayBeCaptured(Base, &Tracker, /*MaxUsesToExplore=*/4096);
}

// A function pointer CoroSplit stores to a frame's header: a resume, destroy or cleanup
// function, null (the final suspend's "done"), or a choice between them (heap or elided).
static bool isHeaderValue(const Value *V) {
  V = V->stripPointerCasts();
  if (const auto *Select = dyn_cast<SelectInst>(V))
    return isHeaderValue(Select->getTrueValue()) && isHeaderValue(Select->getFalseValue());
  if (const auto *F = dyn_cast<Function>(V))
    return !coroutineName(*F).empty();
  return isa<ConstantPointerNull>(V);
}

// A load of the resume or destroy function from a handle, to call it on the handle: what
// coroutine_handle::resume() and destroy() become (CoroCleanup makes such calls fastcc, which C
// and C++ code calling through a function pointer never is).
static bool isHandleCall(const Instruction &I, const DataLayout &DL) {
  const auto *Load = dyn_cast<LoadInst>(&I);
  if (!Load || !Load->getType()->isPointerTy() || Load->user_empty())
    return false;
  int64_t Offset = 0;
  const Value *Handle = stripOffset(Load->getPointerOperand(), DL, Offset);
  if (Offset != 0 && Offset != static_cast<int64_t>(DL.getPointerSize()))
    return false;
  return all_of(Load->users(), [&](const User *U) {
    const auto *Call = dyn_cast<CallBase>(U);
    return Call && Call->getCalledOperand() == Load &&
           Call->getCallingConv() == CallingConv::Fast && Call->arg_size() == 1 &&
           Call->getArgOperand(0) == Handle;
  });
}

bool CoroFrames::isPrivate(Instruction &I, const Value *Address, uint64_t Size) const {
  if (isHandleCall(I, DL))
    return true;
  int64_t Offset = 0;
  const Value *Base = stripOffset(Address, DL, Offset);
  auto It = Bases.find(Base);
  if (It == Bases.end() || Offset < 0)
    return false;
  if (auto Ramp = RampStores.find(Base); Ramp != RampStores.end() && Ramp->second != &I) {
    // Before the frame is set up (an allocator's free list inlined into the ramp) the memory
    // is not the frame's yet.
    Function *F = I.getFunction();
    if (Ramp->second->getFunction() != F)
      return false;
    std::unique_ptr<DominatorTree> &DT = Dominators[F];
    if (!DT)
      DT = std::make_unique<DominatorTree>(*F);
    if (!DT->dominates(Ramp->second, &I))
      return false;
  }
  const Coroutine &C = *It->second;
  const uint64_t Begin = Offset;
  const uint64_t End = Begin + Size;
  if (End <= C.HeaderEnd) {
    // Only the function pointers: a deallocator's free list may link blocks through offset 0.
    const auto *Store = dyn_cast<StoreInst>(&I);
    return Store && isHeaderValue(Store->getValueOperand());
  }
  if (!C.Known || Begin < C.PromiseEnd || End > C.FrameEnd)
    return false;
  return none_of(C.Shared, [&](std::pair<uint64_t, uint64_t> Shared) {
    return Begin < Shared.second && Shared.first < End;
  });
}

} // namespace interlace
