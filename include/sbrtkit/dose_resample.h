#pragma once
/// A course's dose carried into the reference frame: trilinear "pull" resampling onto a reference grid
/// (each target voxel centre is mapped back into the course's frame by the inverse rigid map and the
/// course's dose is interpolated there), and the grid that covers every course's dose at the reference
/// dose grid's spacing and orientation. Pure computation, deterministic whatever the OpenMP thread count
/// (every target voxel is computed on its own, in the same operation order).
///
/// Outside the course's calculated grid (beyond the outer voxel cells) the dose is 0 Gy and the voxel is
/// flagged uncovered, so callers can warn; inside the cells the value is trilinear between centres and
/// extended from the last centre in the outer half-voxel, as the DVH sampler does (trilinear_sampler.h).
///
///   auto grid = union_dose_grid(reference_dose.geometry, {{c1.geometry, c1_to_ref}, {c2.geometry, {}}});
///   ResampledDose r = resample_dose(c1_dose, c1_to_ref, *grid);   // r.dose_gy on *grid, r.covered 0/1

#include <cstdint>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/geometry.h"
#include "sbrtkit/registration.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

struct ResampledDose {
  DoseVolume dose_gy;                  // on the target grid; 0 where uncovered
  Volume<std::uint8_t> covered;        // 1 where the voxel centre maps inside the course's voxel cells
  std::int64_t covered_voxels = 0;
  std::int64_t uncovered_voxels = 0;
};

/// Resamples `course_dose` (in its own frame, any orientation) onto `target` (reference frame), with
/// course_to_reference mapping course patient coordinates to reference patient coordinates.
ResampledDose resample_dose(const DoseVolume& course_dose, const RigidMap& course_to_reference,
                            const ImageGeometry& target);

/// One course's dose grid and its map into the reference frame.
struct CourseGrid {
  ImageGeometry grid;
  RigidMap to_reference;
};

/// The smallest grid with the spacing, axes and voxel lattice of `reference_dose_grid` (its origin
/// moved by whole voxels) whose voxel cells contain every course's voxel cells after mapping: the eight
/// outer cell corners of each course are mapped into the reference frame. The reference grid itself is
/// not included unless it is one of the courses. Errors (bad_argument): no course, a course with an
/// empty grid, a non-finite map, or a union above max_voxels (a wrong transform, not a patient).
Expected<ImageGeometry> union_dose_grid(const ImageGeometry& reference_dose_grid,
                                        const std::vector<CourseGrid>& courses,
                                        std::int64_t max_voxels = 400'000'000);

}  // namespace sbrtkit
