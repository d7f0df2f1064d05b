//===- Plugin.cpp - the interlace pass plugin -----------------------------===//
//
// Registers the two interlace passes with the new pass manager:
//   - AccessNamesPass and MarkerPass at the pipeline start, before optimisation reshapes the
//     code: the first names what each access touches while struct fields are still visible,
//     the second keeps a `// interlace: NAME` marker at the start of the line it gates;
//   - InterlacePass at the optimizer's last extension point (like ThreadSanitizer), so that
//     yield points go only before the memory accesses that survive optimisation.
// All are also available to opt: -passes=interlace-access-names,interlace-markers,interlace.
// Compilers load this file through libInterlacePass.so (PluginShim.cpp), which checks their
// LLVM version first.
//
//===----------------------------------------------------------------------===//

#include "AccessNames.h"
#include "AwaitPass.h"
#include "CoroFrames.h"
#include "InterlacePass.h"
#include "MarkerPass.h"
#include "PluginInfo.h"

#include <cstddef>

#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"

using namespace llvm;

// PluginShim.cpp forwards this function's result as an interlace::PluginLibraryInfo.
static_assert(sizeof(interlace::PluginLibraryInfo) == sizeof(PassPluginLibraryInfo));
static_assert(offsetof(interlace::PluginLibraryInfo, APIVersion) ==
              offsetof(PassPluginLibraryInfo, APIVersion));
static_assert(offsetof(interlace::PluginLibraryInfo, PluginName) ==
              offsetof(PassPluginLibraryInfo, PluginName));
static_assert(offsetof(interlace::PluginLibraryInfo, PluginVersion) ==
              offsetof(PassPluginLibraryInfo, PluginVersion));
static_assert(offsetof(interlace::PluginLibraryInfo, RegisterPassBuilderCallbacks) ==
              offsetof(PassPluginLibraryInfo, RegisterPassBuilderCallbacks));

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {
      LLVM_PLUGIN_API_VERSION, "InterlacePass", "0.2", [](PassBuilder &PB) {
        PB.registerPipelineStartEPCallback([](ModulePassManager &MPM, OptimizationLevel) {
          MPM.addPass(interlace::AccessNamesPass());
          MPM.addPass(interlace::MarkerPass());
          MPM.addPass(interlace::AwaitPass());
          MPM.addPass(interlace::CoroFramePass());
        });
        // The end of function simplification, after inlining, right before coroutines are
        // split (not at -O0, where CoroFramePass's record stands alone).
        PB.registerScalarOptimizerLateEPCallback([](FunctionPassManager &FPM, OptimizationLevel) {
          FPM.addPass(interlace::CoroSlotsPass());
        });
        PB.registerOptimizerLastEPCallback([](ModulePassManager &MPM, OptimizationLevel) {
          MPM.addPass(interlace::InterlacePass());
        });
        PB.registerPipelineParsingCallback(
            [](StringRef Name, FunctionPassManager &FPM, ArrayRef<PassBuilder::PipelineElement>) {
              if (Name == "interlace-coro-slots") {
                FPM.addPass(interlace::CoroSlotsPass());
                return true;
              }
              return false;
            });
        PB.registerPipelineParsingCallback(
            [](StringRef Name, ModulePassManager &MPM, ArrayRef<PassBuilder::PipelineElement>) {
              if (Name == "interlace") {
                MPM.addPass(interlace::InterlacePass());
                return true;
              }
              if (Name == "interlace-markers") {
                MPM.addPass(interlace::MarkerPass());
                return true;
              }
              if (Name == "interlace-await") {
                MPM.addPass(interlace::AwaitPass());
                return true;
              }
              if (Name == "interlace-coro-frames") {
                MPM.addPass(interlace::CoroFramePass());
                return true;
              }
              if (Name == "interlace-access-names") {
                MPM.addPass(interlace::AccessNamesPass());
                return true;
              }
              return false;
            });
      }};
}
