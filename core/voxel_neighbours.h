#pragma once
// The 26 neighbours of a voxel (linear index, x fastest) that lie inside the grid.
#include <cstdint>

#include "sbrtkit/geometry.h"

namespace sbrtkit::detail {

template <class Visit>
void for_each_neighbour26(const ImageGeometry& grid, std::int64_t n, Visit&& visit) {
  const std::int64_t nx = grid.size()[0], ny = grid.size()[1], nz = grid.size()[2];
  const auto [i, j, k] = grid.index_of(n);
  for (std::int64_t dk = -1; dk <= 1; ++dk)
    for (std::int64_t dj = -1; dj <= 1; ++dj)
      for (std::int64_t di = -1; di <= 1; ++di) {
        if (di == 0 && dj == 0 && dk == 0) continue;
        const std::int64_t a = i + di, b = j + dj, c = k + dk;
        if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
        visit(a + nx * (b + ny * c));
      }
}

}  // namespace sbrtkit::detail
