// Spreading one search over several processes or machines: shard I of N runs its share of the
// attempts with a seed of its own, so the shards explore disjoint seeds and together run as
// many attempts as one unsharded search. Used by explore_interleavings (INTERLACE_SHARD) and
// by `interlace run --shard` (run/).
#pragma once

#include <cstdint>

namespace interlace::detail {

struct Shard {
  int index = 0; // from 0
  int count = 1;
};

// The seed of shard `shard` of a search seeded `seed`: `seed` itself when there is one shard,
// so an unsharded search is unchanged.
std::uint64_t shard_seed(std::uint64_t seed, Shard shard);

// Shard `shard`'s share of `total` attempts; the first total % count shards take one more.
int shard_attempts(int total, Shard shard);

} // namespace interlace::detail
