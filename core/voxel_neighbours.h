#pragma once
// The 26 neighbours of a voxel (linear index, x fastest) that lie inside the grid.
#include <array>
#include <cstdint>

namespace sbrtkit::detail {

template <class Visit>
void for_each_neighbour26(const std::array<std::int64_t, 3>& size, std::int64_t n, Visit&& visit) {
  const std::int64_t nx = size[0], ny = size[1], nz = size[2];
  const std::int64_t i = n % nx, j = (n / nx) % ny, k = n / (nx * ny);
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
