#pragma once
/// How well two images agree after a rigid mapping: the Pearson correlation of their values over the
/// overlap, an independent check of a registration (the ITK metric is what the optimiser minimised; this
/// is what a physicist would look at). Deterministic: a fixed lattice of the fixed image's voxels.
///
///   auto a = image_agreement(reference_ct, course_ct, course_to_reference, 2);
///   if (a.correlation < 0.8) warn("poor registration");

#include <cstdint>

#include "sbrtkit/registration.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

struct ImageAgreement {
  double correlation = 0;         // Pearson r of fixed and mapped moving values over the overlap
  double overlap_fraction = 0;    // sampled fixed voxels whose point falls inside the moving image
  std::int64_t samples = 0;
};

/// Samples every `stride`-th voxel of `fixed` along each axis, maps its centre into the moving frame by
/// moving_to_fixed.inverse() and interpolates `moving` trilinearly there. Values are clamped to
/// [clamp_lower, clamp_upper] first (for CT: air and metal carry no alignment information).
ImageAgreement image_agreement(const Volume<float>& fixed, const Volume<float>& moving, const RigidMap& moving_to_fixed,
                               int stride = 2, double clamp_lower = -900, double clamp_upper = 1500);

}  // namespace sbrtkit
