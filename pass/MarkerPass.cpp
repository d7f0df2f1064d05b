//===- MarkerPass.cpp - trace markers from source comments ----------------===//
//
// A trace marker is a comment, `// interlace: NAME` or `/* interlace: NAME */`. On a line
// with code it gates that line; alone on its line it gates the next line with code. This pass
// reads the source files named by the module's debug locations, finds the markers, and puts
// a call to __interlace_marker(NAME, site) before the first instruction of the gated line,
// each time control enters that line from another one (so a marker in a loop fires on every
// iteration, a marker in a function called twice fires twice).
//
// It runs at the pipeline start, before optimisation: the call is opaque to the optimiser,
// so shared-memory accesses stay on their side of it at -O1 and above, and inlining carries
// it along. Without debug info there are no locations to read; a module whose main file has
// markers is then an error, so a missing -g does not silently disable them.
//
//===----------------------------------------------------------------------===//

#include "MarkerPass.h"
#include "DebugLocations.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Regex.h"

#include <optional>
#include <set>
#include <utility>

using namespace llvm;
using namespace interlace;

#define DEBUG_TYPE "interlace-markers"

STATISTIC(NumMarkerCalls, "Marker calls inserted");

namespace {

constexpr const char *MarkerFunction = "__interlace_marker";
constexpr const char *DoneMetadata = "interlace.markers";
constexpr unsigned MarkerSiteKind = 10; // INTERLACE_SITE_MARKER

StringRef trimmed(StringRef Line) { return Line.trim(" \t\r"); }

// The line without its comments (line comments and complete block comments).
std::string withoutComments(StringRef Line) {
  std::string Code;
  while (!Line.empty()) {
    const size_t LineComment = Line.find("//");
    const size_t BlockComment = Line.find("/*");
    if (LineComment == StringRef::npos && BlockComment == StringRef::npos) {
      Code += Line.str();
      break;
    }
    if (BlockComment < LineComment) {
      Code += Line.take_front(BlockComment).str();
      const size_t End = Line.find("*/", BlockComment + 2);
      if (End == StringRef::npos)
        break;
      Line = Line.drop_front(End + 2);
      continue;
    }
    Code += Line.take_front(LineComment).str();
    break;
  }
  return Code;
}

bool hasCode(StringRef Line) {
  StringRef Code = trimmed(withoutComments(Line));
  return !Code.empty() && !Code.starts_with("#");
}

// Where each marker of one source file gates, by line.
class SourceMarkers {
public:
  explicit SourceMarkers(std::vector<SourceMarker> Found) : Markers(std::move(Found)) {}

  SmallVector<const SourceMarker *, 1> at(unsigned Line) const {
    SmallVector<const SourceMarker *, 1> Result;
    for (const SourceMarker &Marker : Markers)
      if (Marker.GatedLine == Line)
        Result.push_back(&Marker);
    return Result;
  }
  const std::vector<SourceMarker> &all() const { return Markers; }

private:
  std::vector<SourceMarker> Markers;
};

class MarkerInserter {
public:
  explicit MarkerInserter(Module &M) : M(M), Ctx(M.getContext()) {}

  void run();

private:
  const SourceMarkers *markersOf(const std::string &Path);
  void insertIn(Function &F);
  bool entersLine(const BasicBlock &BB, const std::pair<std::string, unsigned> &Key) const;
  void insertBefore(Instruction &I, const SourceMarker &SM, const std::string &Path,
                    const DILocation &Loc);
  void warnAboutUnusedMarkers();

  Module &M;
  LLVMContext &Ctx;
  StringMap<std::optional<SourceMarkers>> Files;
  std::set<std::pair<std::string, unsigned>> Inserted; // (file, gated line)
  StringConstants Strings{M, "interlace.marker.str"};
  FunctionCallee Marker;
};

const SourceMarkers *MarkerInserter::markersOf(const std::string &Path) {
  auto [It, Inserted] = Files.try_emplace(Path);
  if (Inserted) {
    if (ErrorOr<std::unique_ptr<MemoryBuffer>> Buffer = MemoryBuffer::getFile(Path)) {
      std::vector<SourceMarker> Found = findMarkers((*Buffer)->getBuffer());
      if (!Found.empty())
        It->second.emplace(std::move(Found));
    }
  }
  std::optional<SourceMarkers> &Entry = It->second;
  if (!Entry)
    return nullptr;
  return &*Entry;
}

// Control enters the line at a block's first located instruction unless every way into the
// block comes from that same line (a loop or a branch within one line). A way in is judged by
// the last located instruction before it: blocks without locations (a coroutine's resume and
// cleanup paths, compiler-made branches) are looked through, so that resuming after a co_await
// on the marker's line does not pass the marker again.
bool MarkerInserter::entersLine(const BasicBlock &BB,
                                const std::pair<std::string, unsigned> &Key) const {
  if (&BB == &BB.getParent()->getEntryBlock() || pred_empty(&BB))
    return true;
  if (BB.isEHPad())
    return false; // unwinding passes no marker
  SmallPtrSet<const BasicBlock *, 16> Visited{&BB};
  SmallVector<const BasicBlock *, 16> Work(pred_begin(&BB), pred_end(&BB));
  while (!Work.empty()) {
    const BasicBlock *Pred = Work.pop_back_val();
    if (!Visited.insert(Pred).second || Pred->isEHPad())
      continue;
    const DILocation *Last = nullptr;
    for (const Instruction &I : reverse(*Pred)) {
      const DILocation *Loc = I.getDebugLoc().get();
      if (Loc && Loc->getLine() != 0 && !isa<DbgInfoIntrinsic>(I)) {
        Last = Loc;
        break;
      }
    }
    if (Last) {
      if (Last->getLine() != Key.second || fullPath(Last->getScope()) != Key.first)
        return true;
      continue;
    }
    if (Pred == &Pred->getParent()->getEntryBlock() || pred_empty(Pred))
      return true;
    Work.append(pred_begin(Pred), pred_end(Pred));
  }
  return false;
}

void MarkerInserter::insertBefore(Instruction &I, const SourceMarker &SM, const std::string &Path,
                                  const DILocation &Loc) {
  std::string Function = "?";
  if (const DISubprogram *SP = Loc.getScope()->getSubprogram())
    Function = qualifiedName(SP);
  Type *I32 = Type::getInt32Ty(Ctx);
  StructType *SiteTy = siteType(M);
  auto *Site = new GlobalVariable(
      M, SiteTy, /*isConstant=*/true, GlobalValue::PrivateLinkage,
      ConstantStruct::get(SiteTy, {Strings.get(Path), Strings.get(Function),
                                   ConstantInt::get(I32, SM.GatedLine), ConstantInt::get(I32, 0),
                                   ConstantInt::get(I32, MarkerSiteKind), ConstantInt::get(I32, 0),
                                   ConstantPointerNull::get(PointerType::getUnqual(Ctx))}),
      "interlace.marker.site");
  IRBuilder<> B(&I);
  CallInst *Call = B.CreateCall(Marker, {Strings.get(SM.Name), Site});
  Call->setDebugLoc(I.getDebugLoc());
  ++NumMarkerCalls;
}

void MarkerInserter::insertIn(Function &F) {
  for (BasicBlock &BB : F) {
    if (BB.isEHPad())
      continue; // unwinding passes no marker

    std::optional<std::pair<std::string, unsigned>> Previous;
    for (Instruction &I : make_early_inc_range(BB)) {
      if (isa<PHINode>(I) || isa<DbgInfoIntrinsic>(I) || I.isEHPad())
        continue;
      const DILocation *Loc = I.getDebugLoc().get();
      if (!Loc || Loc->getLine() == 0)
        continue;
      std::pair<std::string, unsigned> Key{fullPath(Loc->getScope()), Loc->getLine()};
      if (const SourceMarkers *Markers = markersOf(Key.first)) {
        const bool Enters = Previous ? *Previous != Key : entersLine(BB, Key);
        if (Enters) {
          for (const SourceMarker *SM : Markers->at(Key.second)) {
            insertBefore(I, *SM, Key.first, *Loc);
            Inserted.insert(Key);
          }
        }
      }
      Previous = std::move(Key);
    }
  }
}

// A marker in the main file that gates no code of this translation unit would never fire.
void MarkerInserter::warnAboutUnusedMarkers() {
  for (const DICompileUnit *CU : M.debug_compile_units()) {
    const std::string Main = fullPath(CU->getFile());
    const SourceMarkers *Markers = markersOf(Main);
    if (!Markers)
      continue;
    for (const SourceMarker &SM : Markers->all()) {
      if (Inserted.count({Main, SM.GatedLine}))
        continue;
      const std::string Message =
          "interlace: marker '" + SM.Name + "' at " + Main + ":" + std::to_string(SM.MarkerLine) +
          (SM.GatedLine == 0 ? std::string(" is followed by no code")
                             : " gates line " + std::to_string(SM.GatedLine) +
                                   ", which has no code in this translation unit") +
          "; it will never be reached. Put it on (or just above) a line that executes.";
      // LLVM 19 has no generic diagnostic class; LLVMContext::emitError uses this one too.
      const Twine Text(Message);
      Ctx.diagnose(DiagnosticInfoInlineAsm(Text, DS_Warning));
    }
  }
}

void MarkerInserter::run() {
  Type *Ptr = PointerType::getUnqual(Ctx);
  Marker = M.getOrInsertFunction(MarkerFunction, Type::getVoidTy(Ctx), Ptr, Ptr);
  for (Function &F : M)
    // clang 19 wraps each co_await's await_suspend in a function located on the co_await's
    // line; it is the awaiter's code, not the line's.
    if (!F.isDeclaration() && !F.hasAvailableExternallyLinkage() &&
        !F.getName().contains(".__await_suspend_wrapper__"))
      insertIn(F);
  warnAboutUnusedMarkers();
}

} // namespace

namespace interlace {

std::vector<SourceMarker> findMarkers(StringRef Text) {
  static const Regex MarkerComment(
      "(//|/\\*)[[:space:]]*interlace:[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)");
  SmallVector<StringRef, 0> Lines;
  Text.split(Lines, '\n');
  std::vector<SourceMarker> Found;
  for (unsigned Index = 0; Index < Lines.size(); ++Index) {
    StringRef Rest = Lines[Index];
    SmallVector<StringRef, 3> Groups;
    while (MarkerComment.match(Rest, &Groups)) {
      SourceMarker SM;
      SM.Name = Groups[2].str();
      SM.MarkerLine = Index + 1;
      if (hasCode(Lines[Index])) {
        SM.GatedLine = Index + 1;
      } else {
        SM.GatedLine = 0;
        for (unsigned Next = Index + 1; Next < Lines.size(); ++Next) {
          if (hasCode(Lines[Next])) {
            SM.GatedLine = Next + 1;
            break;
          }
        }
      }
      Found.push_back(std::move(SM));
      Rest = Rest.drop_front(Groups[0].data() - Rest.data() + Groups[0].size());
    }
  }
  return Found;
}

PreservedAnalyses MarkerPass::run(Module &M, ModuleAnalysisManager &) {
  if (M.getNamedMetadata(DoneMetadata))
    return PreservedAnalyses::all(); // markers already inserted
  M.getOrInsertNamedMetadata(DoneMetadata);
  if (M.debug_compile_units().empty()) {
    ErrorOr<std::unique_ptr<MemoryBuffer>> Buffer = MemoryBuffer::getFile(M.getSourceFileName());
    if (Buffer && !findMarkers((*Buffer)->getBuffer()).empty())
      M.getContext().emitError(
          "interlace: " + M.getSourceFileName() +
          " has `// interlace:` trace markers, but it was compiled without debug info, "
          "through which the pass finds them. Compile it with -g (interlace_instrument() "
          "does), or write INTERLACE_MARKER(name); instead of the comments.");
    return PreservedAnalyses::all();
  }
  MarkerInserter(M).run();
  return PreservedAnalyses::none();
}

} // namespace interlace
