#pragma once
/// SBRT plan quality indices per target, from DVHs and the volume samples behind them:
///   coverage   V100%[%], D98%, D95%, D50%, D2%, ICRU 91 near-max (D2% if TV >= 2 cc, else D0.035cc), mean
///   conformity RTOG CI = PIV / TV,  Paddick CI = TV_PIV^2 / (TV x PIV)
///   gradient   GI = PIV50 / PIV (Paddick & Lippitz 2006),  R50% = PIV50 / TV (RTOG 0915)
///   spillage   D2cm = max dose in BODY at >= 20 mm from the PTV surface, % of Rx
///   homogeneity HI = (D2% - D98%) / D50% (ICRU 83)
/// PIV / PIV50 are BODY volumes receiving >= 100% / 50% of the target's own prescription. With several
/// targets, each BODY sample is attributed to the target whose contour-stack surface is nearest
/// (a Voronoi split of the BODY by exact Euclidean distance to each PTV's planar-contour solid); PIV,
/// PIV50 and the D2cm region of a target are taken inside its own cell only.
///
///   auto q = compute_plan_quality(body, {{&ptv, 30.0}}, dose, {});
///   q->targets[0].rtog_ci   // PIV / TV

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/contour_stack.h"
#include "sbrtkit/dvh.h"
#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/stack_distance.h"
#include "sbrtkit/structure.h"
#include "sbrtkit/structure_samples.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

/// RTOG 0915 / 0813 deviation level: none (per protocol), minor (acceptable), major (unacceptable).
enum class DeviationLevel { none, minor, major };
const char* to_string(DeviationLevel level);

/// Upper limits for "no deviation" and "minor deviation" at a PTV volume.
struct DeviationLimits {
  double none_max = 0;
  double minor_max = 0;
};
/// The RTOG 0915 spillage table (sbrt-domain.md section 3): linear interpolation in PTV volume between
/// rows (1.8 .. 163 cc), clamped to the first / last row outside that range.
DeviationLimits rtog0915_r50_limits(double ptv_cc);
DeviationLimits rtog0915_d2cm_limits(double ptv_cc);  // % of Rx
/// value <= none_max: none; <= minor_max: minor; above: major.
DeviationLevel deviation_level(double value, const DeviationLimits& limits);

/// Linear interpolation of ys at x over ascending xs, clamped to the end values outside [xs.front(), xs.back()].
double interpolate_clamped(const std::vector<double>& xs, const std::vector<double>& ys, double x);

/// A cumulative DVH histogrammed from samples, each dose mapped through `eqd2` when fractions > 0:
/// EQD2 = D (D/n + a/b) / (2 + a/b) per sample, before binning (the voxel-by-voxel conversion).
Dvh dvh_from_samples(const StructureSamples& samples, double bin_width_gy, int eqd2_fractions = 0,
                     double alpha_beta_gy = 0);

struct QaTarget {
  const Structure* structure = nullptr;  // the PTV
  double prescription_gy = 0;            // this target's own Rx (total dose)
};

struct PlanQualityOptions {
  DvhOptions engine;
  /// For BED / EQD2: the plan's fractions and an alpha/beta; both needed, else no radiobiology.
  int fractions = 0;
  std::optional<double> alpha_beta_gy;
  double d2cm_distance_mm = 20;
};

/// Radiobiological view of a target at one alpha/beta (voxel-by-voxel EQD2 DVH of the PTV).
struct TargetRadiobiology {
  double alpha_beta_gy = 0;
  int fractions = 0;
  double rx_bed_gy = 0, rx_eqd2_gy = 0;
  double d98_eqd2_gy = 0, d95_eqd2_gy = 0, d50_eqd2_gy = 0, d2_eqd2_gy = 0, mean_eqd2_gy = 0;
  /// BED = EQD2 x (1 + 2 / (a/b)) sample by sample, so the BED DVH is the EQD2 DVH scaled.
  double d95_bed_gy = 0, mean_bed_gy = 0;
};

struct TargetQuality {
  int roi_number = 0;
  std::string name;
  double prescription_gy = 0;

  double tv_cc = 0;        // PTV volume inside the dose grid
  double coverage = 1;     // fraction of the PTV inside the dose grid
  double v100_pct = 0;     // % of TV receiving >= Rx
  double d98_gy = 0, d95_gy = 0, d50_gy = 0, d2_gy = 0, mean_gy = 0, min_gy = 0, max_gy = 0;
  double near_max_gy = 0;
  std::string near_max_metric;  // "D2%" or "D0.035cc"

  double tv_piv_cc = 0;   // PTV volume >= Rx
  double piv_cc = 0;      // BODY volume >= Rx in this target's cell
  double piv50_cc = 0;    // BODY volume >= 50% Rx in this target's cell
  double cell_cc = 0;     // BODY volume attributed to the target
  std::optional<double> rtog_ci, paddick_ci, gradient_index, r50;
  std::optional<double> d2cm_pct;  // nullopt when no BODY sample lies >= 20 mm from the PTV in the cell
  std::optional<double> hi;
  DeviationLimits r50_limits, d2cm_limits;
  std::optional<DeviationLevel> r50_level, d2cm_level;
  std::optional<TargetRadiobiology> radiobiology;
  std::vector<std::string> warnings;
};

struct PlanQuality {
  std::vector<TargetQuality> targets;
  double body_volume_cc = 0;
  std::string body_name;
  /// How BODY volume was attributed to targets, in words (printed in every report).
  std::string attribution;
  std::vector<std::string> warnings;
};

/// Errors: no targets, a target without positive Rx or without a structure, contour errors from the
/// engine. An empty BODY or one partly outside the dose grid gives warnings, not errors.
Expected<PlanQuality> compute_plan_quality(const Structure& body, const std::vector<QaTarget>& targets,
                                           const DoseVolume& dose_gy, const PlanQualityOptions& options = {});

}  // namespace sbrtkit
