#pragma once
/// Voxel-wise accumulation of several courses' doses, all already resampled onto one grid in the
/// reference frame (dose_resample.h): the physical sum, and the EQD2 sum
///   EQD2 = sum_c (1 - r_c) D_c (D_c / n_c + a/b) / (2 + a/b)
/// with a/b per voxel (an alpha/beta map, alpha_beta.h) and n_c the fractions of course c. Recovery
/// convention: a recovered fraction r (per voxel, from a per-structure map; 0 by default) reduces the
/// EQD2 of every course except the last (the earlier courses, in the order given, which is the caller's
/// chronological order) by the factor (1 - r); the last course and the physical sum are never reduced.
/// A course contributes 0 Gy where its own grid did not cover the voxel; the per-voxel count of courses
/// that covered it is kept so callers can warn (uncovered_volume_mm3 per structure).
///
///   auto acc = accumulate_dose({{"1.2.3", c1.dose_gy, c1.covered, 3}, {"1.2.4", c2.dose_gy, c2.covered, 3}}, ab);
///   acc->eqd2_gy.at(v);   // 24 Gy/3 + 27 Gy/3 at a/b 2: 60 + 74.25 = 134.25 Gy

#include <cstdint>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/lesion.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

/// One course on the accumulation grid.
struct CourseOnGrid {
  std::string label;                    // plan UID or name, for messages
  DoseVolume dose_gy;                   // physical dose of the whole course, 0 where uncovered
  Volume<std::uint8_t> covered;         // 1 where the course's own grid covered the voxel (may be empty: all covered)
  int fractions = 0;
};

struct AccumulatedDose {
  DoseVolume physical_gy;
  DoseVolume eqd2_gy;
  Volume<std::uint8_t> courses_covering;   // how many courses covered each voxel
  std::vector<std::int64_t> uncovered_voxels;  // per course
  std::vector<std::string> notes;          // the formula and conventions used, for the outputs
};

/// Errors (bad_argument, naming the course by index and label): no course; a dose, coverage or map on
/// another grid than the first course's; fractions < 1; a negative or non-finite dose; an a/b that is not
/// positive and finite; a recovery fraction outside [0, 1]. recovery_fraction may be nullptr (none).
Expected<AccumulatedDose> accumulate_dose(const std::vector<CourseOnGrid>& courses, const Volume<float>& alpha_beta_gy,
                                          const Volume<float>* recovery_fraction = nullptr);

/// Volume (mm^3, occupancy-weighted) of a structure lying where `covered` is 0: the part of the structure
/// outside one course's calculated dose grid. Indices outside the grid are counted as uncovered.
double uncovered_volume_mm3(const LesionVoxels& occupancy, const Volume<std::uint8_t>& covered);

}  // namespace sbrtkit
