#pragma once
/// Rigid mappings between frames of reference, and rigid CT-to-CT registration (ITK, Mattes mutual
/// information, versor rigid transform, multi-resolution). ITK stays inside registration/: this header
/// only uses sbrtkit types.
///
///   auto r = register_rigid(planning_ct, pet_ct, {});   // maps pet_ct points into the planning frame
///   PatientPoint p_planning = r->moving_to_fixed.apply(p_pet);

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/geometry.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

/// p' = R p + t in patient coordinates (mm). R is a rotation (row-major).
struct RigidMap {
  std::array<double, 9> rotation{1, 0, 0, 0, 1, 0, 0, 0, 1};
  Vec3 translation_mm;

  PatientPoint apply(PatientPoint p) const {
    const auto& r = rotation;
    return {r[0] * p.x + r[1] * p.y + r[2] * p.z + translation_mm.x,
            r[3] * p.x + r[4] * p.y + r[5] * p.z + translation_mm.y,
            r[6] * p.x + r[7] * p.y + r[8] * p.z + translation_mm.z};
  }
  Vec3 apply(Vec3 d) const {
    const auto& r = rotation;
    return {r[0] * d.x + r[1] * d.y + r[2] * d.z, r[3] * d.x + r[4] * d.y + r[5] * d.z,
            r[6] * d.x + r[7] * d.y + r[8] * d.z};
  }
  RigidMap inverse() const {
    RigidMap inv;
    const auto& r = rotation;
    inv.rotation = {r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]};
    const Vec3 t = inv.apply(translation_mm);
    inv.translation_mm = {-t.x, -t.y, -t.z};
    return inv;
  }
  /// (this o first)(p) = this(first(p)).
  RigidMap after(const RigidMap& first) const {
    RigidMap c;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        double s = 0;
        for (int k = 0; k < 3; ++k) s += rotation[3 * i + k] * first.rotation[3 * k + j];
        c.rotation[3 * i + j] = s;
      }
    c.translation_mm = apply(first.translation_mm) + translation_mm;
    return c;
  }
  /// Rotation angle (degrees) of R: acos((trace - 1) / 2).
  double angle_deg() const {
    const double c = std::clamp((rotation[0] + rotation[4] + rotation[8] - 1.0) / 2.0, -1.0, 1.0);
    return std::acos(c) * 180.0 / 3.14159265358979323846;
  }
};

/// How an image's frame was mapped into the planning frame, and how well.
struct FrameMapping {
  RigidMap to_planning;  // image frame -> planning frame
  std::string method;    // "same frame of reference", "spatial registration <file>", "rigid registration", "none"
  std::optional<double> metric_value;          // final Mattes MI (negative; lower is better)
  std::optional<double> landmark_residual_mm;  // when a known landmark was checked
  std::vector<std::string> notes;
};

struct RigidRegistrationOptions {
  /// Shrink factors and smoothing sigmas (mm) per level, coarse to fine.
  std::vector<int> shrink = {4, 2};
  std::vector<double> smoothing_mm = {4.0, 2.0};
  int histogram_bins = 32;
  double sampling_fraction = 0.25;  // random (fixed-seed) metric sampling
  /// Both CTs are block-averaged to at least this spacing first (rigid alignment needs no finer detail).
  double min_spacing_mm = 4.0;
  int iterations = 200;
  double learning_rate = 1.0;
  /// CT numbers are clamped to [lower, upper] HU before registration (air and metal add no information).
  double clamp_lower_hu = -900, clamp_upper_hu = 1500;
};

struct RigidRegistrationResult {
  RigidMap moving_to_fixed;
  double metric_value = 0;
  int iterations = 0;
  std::string stop_condition;
};

/// Registers `moving` onto `fixed` (both CT in HU, each in its own frame); the result maps a point of
/// the moving frame to the fixed frame. Initialised by aligning the centres of mass of the clamped
/// images. Errors: empty images, ITK exceptions (reported as ErrorCode::unsupported with ITK's text).
Expected<RigidRegistrationResult> register_rigid(const Volume<float>& fixed, const Volume<float>& moving,
                                                 const RigidRegistrationOptions& options = {});

}  // namespace sbrtkit
