//===- Plugin.cpp - the interlace pass plugin -----------------------------===//
//
// Registers the two interlace passes with the new pass manager:
//   - MarkerPass at the pipeline start, before optimisation moves any code, so that a
//     `// interlace: NAME` marker stays at the start of the line it gates at every -O level;
//   - InterlacePass at the optimizer's last extension point (like ThreadSanitizer), so that
//     yield points go only before the memory accesses that survive optimisation.
// Both are also available to `opt -passes=interlace-markers,interlace`.
//
//===----------------------------------------------------------------------===//

#include "InterlacePass.h"
#include "MarkerPass.h"

#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"

using namespace llvm;

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "InterlacePass", "0.2", [](PassBuilder &PB) {
            PB.registerPipelineStartEPCallback([](ModulePassManager &MPM, OptimizationLevel) {
              MPM.addPass(interlace::MarkerPass());
            });
            PB.registerOptimizerLastEPCallback([](ModulePassManager &MPM, OptimizationLevel) {
              MPM.addPass(interlace::InterlacePass());
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
                  return false;
                });
          }};
}
