#include "sharding.hpp"

#include "interlace/rt/choice_strategy.hpp"

namespace interlace::detail {

std::uint64_t shard_seed(std::uint64_t seed, Shard shard) {
  if (shard.count <= 1) {
    return seed;
  }
  return rt::splitmix64(
      seed ^ rt::splitmix64(0x5ead000000000000ULL + static_cast<std::uint64_t>(shard.index)));
}

int shard_attempts(int total, Shard shard) {
  return total / shard.count + (shard.index < total % shard.count ? 1 : 0);
}

} // namespace interlace::detail
