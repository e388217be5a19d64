#pragma once
/// Triangle surfaces of voxel sets (lesions, label maps) for 3-D viewers. Implemented with VTK (discrete
/// flying edges, windowed-sinc smoothing) in meshes/; this header has no VTK in it.
///
///   auto mesh = voxel_surface(pet_grid, lesion_voxels);
///   for (const auto& t : mesh->triangles) ... mesh->points[t[0]] ...

#include <array>
#include <cstdint>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/geometry.h"

namespace sbrtkit {

struct SurfaceMesh {
  std::vector<PatientPoint> points;                // patient coordinates of the grid's frame, mm
  std::vector<std::array<std::int64_t, 3>> triangles;  // indices into points, outward-facing
};

struct SurfaceOptions {
  /// Windowed-sinc smoothing iterations (0: the raw iso-surface at the voxel faces' mid-points). The
  /// smoothing removes the staircase of the voxels, not the shape: the enclosed volume changes by a few
  /// per cent at most (tested).
  int smoothing_iterations = 15;
};

/// Closed surface of a voxel set (linear indices into `grid`): the 0.5 iso-surface of its indicator.
/// An empty set gives an empty mesh; indices outside the grid are an error.
Expected<SurfaceMesh> voxel_surface(const ImageGeometry& grid, const std::vector<std::int64_t>& voxels,
                                    const SurfaceOptions& options = {});

/// Volume enclosed by a closed, consistently oriented triangle mesh (divergence theorem), mm^3.
double enclosed_volume_mm3(const SurfaceMesh& mesh);

}  // namespace sbrtkit
