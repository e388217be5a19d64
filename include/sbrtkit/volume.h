#pragma once
/// A regular grid of values placed in patient space: an `ImageGeometry` plus voxels stored with i
/// fastest, then j, then k. A value type: return it by value, move it.

#include <cassert>
#include <cstdint>
#include <vector>

#include "sbrtkit/geometry.h"

namespace sbrtkit {

template <class T>
struct Volume {
  ImageGeometry geometry;
  std::vector<T> voxels;

  Volume() = default;
  explicit Volume(ImageGeometry g, T fill = T{})
      : geometry(std::move(g)), voxels(static_cast<std::size_t>(geometry.voxel_count()), fill) {}

  T& at(VoxelIndex v) { return voxels[static_cast<std::size_t>(geometry.linear_index(v))]; }
  const T& at(VoxelIndex v) const { return voxels[static_cast<std::size_t>(geometry.linear_index(v))]; }
  T& at(std::int64_t i, std::int64_t j, std::int64_t k) { return at(VoxelIndex{i, j, k}); }
  const T& at(std::int64_t i, std::int64_t j, std::int64_t k) const { return at(VoxelIndex{i, j, k}); }
};

/// Absolute dose in Gy. DoseGridScaling, cGy and RELATIVE units are resolved in dicom/.
using DoseVolume = Volume<float>;
/// CT numbers in Hounsfield units (RescaleSlope/Intercept applied).
using CtVolume = Volume<std::int16_t>;

}  // namespace sbrtkit
