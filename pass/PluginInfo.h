//===- PluginInfo.h - what llvmGetPassPluginInfo returns, without LLVM ----===//
//
// The layout of llvm::PassPluginLibraryInfo (llvm/Passes/PassPlugin.h), the same in every LLVM
// since the new pass manager's plugins appeared, so that PluginShim.cpp can return and forward
// it without including LLVM. Plugin.cpp checks that the layouts match.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>

namespace interlace {

struct PluginLibraryInfo {
  std::uint32_t APIVersion;
  const char *PluginName;
  const char *PluginVersion;
  void (*RegisterPassBuilderCallbacks)(void *pass_builder);
};

} // namespace interlace
