//===- Plugin.cpp - the interlace pass plugin -----------------------------===//
//
// Registers the two interlace passes with the new pass manager:
//   - AccessNamesPass and MarkerPass at the pipeline start, before optimisation reshapes the
//     code: the first names what each access touches while struct fields are still visible,
//     the second keeps a `// interlace: NAME` marker at the start of the line it gates;
//   - InterlacePass at the optimizer's last extension point (like ThreadSanitizer), so that
//     yield points go only before the memory accesses that survive optimisation.
// All are also available to opt: -passes=interlace-access-names,interlace-markers,interlace.
//
//===----------------------------------------------------------------------===//

#include "AccessNames.h"
#include "InterlacePass.h"
#include "MarkerPass.h"

#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"

using namespace llvm;

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "InterlacePass", "0.2", [](PassBuilder &PB) {
            PB.registerPipelineStartEPCallback([](ModulePassManager &MPM, OptimizationLevel) {
              MPM.addPass(interlace::AccessNamesPass());
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
                  if (Name == "interlace-access-names") {
                    MPM.addPass(interlace::AccessNamesPass());
                    return true;
                  }
                  return false;
                });
          }};
}
