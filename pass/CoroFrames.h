//===- CoroFrames.h - coroutine frame slots no other task can reach -*- C++ -*-===//
//
// A coroutine's frame is heap memory, so the instrumentation pass, which runs after coroutines
// are split, would see the frame's own bookkeeping and the locals spilled into it as shared
// accesses. See CoroFrames.cpp for which slots are skipped and why that is sound.
//
//===----------------------------------------------------------------------===//
#ifndef INTERLACE_CORO_FRAMES_H
#define INTERLACE_CORO_FRAMES_H

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>

namespace interlace {

// At the pipeline start, while coroutines are still whole: records on each coroutine where its
// frame's header and promise end (function metadata, which the split functions inherit).
class CoroFramePass : public llvm::PassInfoMixin<CoroFramePass> {
public:
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &MAM);
  static bool isRequired() { return true; }
};

// At the end of the function simplification pipeline (-O1 and above), the last point before
// the split a plugin can see: records on each coroutine the size of its largest alloca whose
// address escapes, which bounds the frame slots an escaping address can reach after the split.
class CoroSlotsPass : public llvm::PassInfoMixin<CoroSlotsPass> {
public:
  llvm::PreservedAnalyses run(llvm::Function &F, llvm::FunctionAnalysisManager &FAM);
  static bool isRequired() { return true; }
};

// After coroutines are split: the frames of the module's coroutines and which of their bytes
// only the coroutine's own code can reach.
class CoroFrames {
public:
  explicit CoroFrames(llvm::Module &M);

  // True when I, an access to [Address, Address + Size), stores a coroutine frame's resume or
  // destroy function, or touches a slot past the promise whose address the coroutine never
  // lets out.
  bool isPrivate(llvm::Instruction &I, const llvm::Value *Address, uint64_t Size) const;

  struct Coroutine {
    uint64_t HeaderEnd = 0;  // the resume and destroy pointers
    uint64_t PromiseEnd = 0; // the header and the promise, which handles reach
    uint64_t FrameEnd = 0;   // the frame's size, from the split functions
    // The largest object an escaping address may point into, from CoroSlotsPass; without it
    // an escaping address makes every slot past the promise shared.
    std::optional<uint64_t> LargestEscaping;
    llvm::SmallVector<std::pair<uint64_t, uint64_t>, 4> Shared; // [begin, end) that may escape
    bool Known = true; // false: a frame pointer or slot address used in a way not followed
  };

private:
  Coroutine *coroutineOf(const llvm::Function &Part);
  void addBase(const llvm::Value *Base, Coroutine &C);
  void findRampFrames(llvm::Function &Resume, Coroutine &C);
  void trackEscapes(const llvm::Value *Base, Coroutine &C);

  const llvm::DataLayout &DL;
  llvm::StringMap<Coroutine> Coroutines;
  llvm::DenseMap<const llvm::Value *, Coroutine *> Bases; // frame pointers
  // In a ramp, the store of the resume function: before it the memory is the allocator's.
  llvm::DenseMap<const llvm::Value *, const llvm::StoreInst *> RampStores;
  mutable std::map<const llvm::Function *, std::unique_ptr<llvm::DominatorTree>> Dominators;
};

} // namespace interlace

#endif // INTERLACE_CORO_FRAMES_H
