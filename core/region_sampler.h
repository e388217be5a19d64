#pragma once
// Volume samples of a region given as fractional voxel occupancy on its own grid (a PET lesion), mapped
// rigidly into a dose grid's frame: each voxel is cut into n_i x n_j x n_k equal cells (about step_mm on
// a side, as the contour-stack sampler does for structures) and each cell centre is one sample carrying
// occupancy x cell volume. Visitors get the same calls as from SlabSampler, with the sample's position
// in the dose frame (patient mm) in place of the stack's (u, v, w).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/geometry.h"
#include "sbrtkit/lesion.h"
#include "sbrtkit/registration.h"
#include "trilinear_sampler.h"

namespace sbrtkit::detail {

/// Sample step for a region: the structure rule (about target_samples samples, bounded by min_step_mm
/// and by max_step_fraction_of_dose_spacing of the finest dose spacing), from the region's volume.
inline double choose_region_step_mm(double volume_mm3, const ImageGeometry& dose_grid, const DvhOptions& options) {
  const Vec3 s = dose_grid.spacing_mm();
  const double max_step = options.max_step_fraction_of_dose_spacing * std::min({s.x, s.y, s.z});
  return std::clamp(std::cbrt(volume_mm3 / double(options.target_samples)), options.min_step_mm,
                    std::max(max_step, options.min_step_mm));
}

class RegionSampler {
 public:
  static constexpr std::size_t kVoxelsPerTask = 64;

  RegionSampler(const ImageGeometry& grid, const LesionVoxels& region, const RigidMap& grid_to_dose,
                const DoseVolume& dose, double step_mm)
      : grid_(grid), region_(region), to_dose_(grid_to_dose), dose_geometry_(dose.geometry), sampler_(dose) {
    const Vec3 sp = grid.spacing_mm();
    const double spacing[3] = {sp.x, sp.y, sp.z};
    for (int a = 0; a < 3; ++a) {
      cells_[a] = std::max(1, int(std::ceil(spacing[a] / step_mm - 1e-9)));
      // One cell step along grid axis a, in the dose frame and in dose-grid index space.
      step_patient_[a] = to_dose_.apply((1.0 / cells_[a]) * grid.step(a));
      step_index_[a] = dose_geometry_.index_delta(step_patient_[a]);
    }
    cell_mm3_ = grid.voxel_volume_mm3() / (double(cells_[0]) * cells_[1] * cells_[2]);
  }

  std::size_t task_count() const { return (region_.index.size() + kVoxelsPerTask - 1) / kVoxelsPerTask; }
  int cells(int axis) const { return cells_[axis]; }

  template <class Visitor>
  void run(std::size_t task, Visitor& visitor) const {
    const std::size_t end = std::min(region_.index.size(), (task + 1) * kVoxelsPerTask);
    for (std::size_t q = task * kVoxelsPerTask; q < end; ++q) {
      const double occupancy = region_.weight[q];
      if (!(occupancy > 0)) continue;
      const double weight_mm3 = occupancy * cell_mm3_;
      const VoxelIndex v = grid_.index_of(region_.index[q]);
      // Centre of the voxel's first cell.
      const IndexPoint first{double(v.i) - 0.5 + 0.5 / cells_[0], double(v.j) - 0.5 + 0.5 / cells_[1],
                             double(v.k) - 0.5 + 0.5 / cells_[2]};
      const PatientPoint p0 = to_dose_.apply(grid_.to_patient(first));
      const IndexPoint d0 = dose_geometry_.to_index(p0);
      for (int c = 0; c < cells_[2]; ++c)
        for (int b = 0; b < cells_[1]; ++b)
          for (int a = 0; a < cells_[0]; ++a) {
            const PatientPoint p = p0 + (a * step_patient_[0] + b * step_patient_[1] + c * step_patient_[2]);
            const double i = d0.i + a * step_index_[0].i + b * step_index_[1].i + c * step_index_[2].i;
            const double j = d0.j + a * step_index_[0].j + b * step_index_[1].j + c * step_index_[2].j;
            const double k = d0.k + a * step_index_[0].k + b * step_index_[1].k + c * step_index_[2].k;
            double dose = 0;
            if (sampler_.sample(i, j, k, dose))
              visitor.volume_sample(p.x, p.y, p.z, dose, weight_mm3);
            else
              visitor.outside_sample(p.x, p.y, p.z, weight_mm3);
          }
    }
  }

 private:
  const ImageGeometry& grid_;
  const LesionVoxels& region_;
  RigidMap to_dose_;
  const ImageGeometry& dose_geometry_;
  TrilinearSampler sampler_;
  int cells_[3] = {1, 1, 1};
  Vec3 step_patient_[3];
  IndexPoint step_index_[3];
  double cell_mm3_ = 0;
};

/// Errors for a region whose indices or weights do not fit its grid.
inline Status check_region(const ImageGeometry& grid, const LesionVoxels& region) {
  if (region.weight.size() != region.index.size())
    return Error::bad_argument("region", "one occupancy per voxel index",
                               std::to_string(region.weight.size()) + " weights for " +
                                   std::to_string(region.index.size()) + " voxels");
  for (const auto n : region.index)
    if (n < 0 || n >= grid.voxel_count())
      return Error::bad_argument("region voxel index", "0.." + std::to_string(grid.voxel_count() - 1),
                                 std::to_string(n));
  return ok();
}

}  // namespace sbrtkit::detail
