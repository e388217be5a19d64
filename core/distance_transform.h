#pragma once
// Exact squared Euclidean distance transform on a voxel box with anisotropic spacing
// (Felzenszwalb & Huttenlocher, "Distance transforms of sampled functions", 2012): three separable
// passes of the 1-D lower envelope of parabolas, linear in the number of voxels.
#include <array>
#include <cstdint>
#include <vector>

namespace sbrtkit {

/// For every voxel of a box of `size` voxels (x fastest), the squared distance [mm^2] between its centre
/// and the nearest centre of a voxel with inside != 0; about 1e30 when there is none.
std::vector<double> squared_distance_map(const std::vector<std::uint8_t>& inside, std::array<std::int64_t, 3> size,
                                         std::array<double, 3> spacing_mm);

}  // namespace sbrtkit
