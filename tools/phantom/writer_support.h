#pragma once
// What the phantom writers (phantom_writer.cpp, longitudinal_writer.cpp) and render.cpp share: the
// ground_truth.json spelling of points, vectors, 4 x 4 matrices and grids, the CT as float for the DICOM
// writer, and sampling a value at every voxel centre.
#include <array>

#include <nlohmann/json.hpp>

#include "sbrtkit/geometry.h"
#include "sbrtkit/phantom/phantom.h"

namespace sbrtkit::phantom::detail {

inline nlohmann::ordered_json point_json(PatientPoint p) { return nlohmann::ordered_json::array({p.x, p.y, p.z}); }
inline nlohmann::ordered_json vec_json(Vec3 v) { return nlohmann::ordered_json::array({v.x, v.y, v.z}); }

/// Row-major 4 x 4 as a list of four rows.
inline nlohmann::ordered_json matrix_json(const std::array<double, 16>& m) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (int r = 0; r < 4; ++r) rows.push_back({m[4 * r], m[4 * r + 1], m[4 * r + 2], m[4 * r + 3]});
  return rows;
}

inline nlohmann::ordered_json grid_json(const ImageGeometry& g) {
  return {{"size", nlohmann::ordered_json::array({g.size()[0], g.size()[1], g.size()[2]})},
          {"origin_mm", point_json(g.origin())},
          {"spacing_mm", vec_json(g.spacing_mm())}};
}

inline Volume<float> to_float(const CtVolume& ct) {
  Volume<float> out;
  out.geometry = ct.geometry;
  out.voxels.assign(ct.voxels.begin(), ct.voxels.end());
  return out;
}

/// A dose (or any value) sampled at every voxel centre of grid, in parallel; value(PatientPoint) -> double.
template <class Value>
DoseVolume sample_on_grid(const ImageGeometry& grid, const Value& value) {
  DoseVolume out(grid, 0.0f);
  const auto nx = grid.size()[0], ny = grid.size()[1], nz = grid.size()[2];
#pragma omp parallel for schedule(dynamic)
  for (std::int64_t k = 0; k < nz; ++k)
    for (std::int64_t j = 0; j < ny; ++j)
      for (std::int64_t i = 0; i < nx; ++i)
        out.at(i, j, k) = static_cast<float>(value(grid.to_patient(VoxelIndex{i, j, k})));
  return out;
}

}  // namespace sbrtkit::phantom::detail
