#pragma once
// FNV-1a 64-bit hash: batch shards, result-file names, input fingerprints, spool folder names. Stable
// across platforms and runs (unlike std::hash), which is what those names need; not a public API.
#include <cstdint>
#include <string_view>

namespace sbrtkit::detail {

inline std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t seed = 14695981039346656037ull) {
  std::uint64_t h = seed;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace sbrtkit::detail
