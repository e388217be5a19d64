#include "sbrtkit/plan_quality.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <numeric>
#include <utility>

#include "sbrtkit/contour_stack.h"
#include "sbrtkit/radiobiology.h"

namespace sbrtkit {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// RTOG 0915 / 0813 spillage table (sbrt-domain.md section 3).
const std::vector<double> kTablePtvCc = {1.8, 3.8, 7.4, 13.2, 22, 34, 50, 70, 95, 126, 163};
const std::vector<double> kR50None = {5.9, 5.5, 5.1, 4.7, 4.5, 4.3, 4.0, 3.5, 3.3, 3.1, 2.9};
const std::vector<double> kR50Minor = {7.5, 6.5, 6.0, 5.8, 5.5, 5.3, 5.0, 4.8, 4.4, 4.0, 3.7};
const std::vector<double> kD2cmNone = {50, 50, 50, 50, 54, 58, 62, 66, 70, 73, 77};
const std::vector<double> kD2cmMinor = {57, 57, 58, 58, 63, 68, 77, 86, 89, 91, 94};

std::string format(const char* pattern, double a, double b = 0) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, pattern, a, b);
  return buffer;
}

}  // namespace

const char* to_string(DeviationLevel level) {
  switch (level) {
    case DeviationLevel::none: return "none";
    case DeviationLevel::minor: return "minor";
    case DeviationLevel::major: return "major";
  }
  return "none";
}

double interpolate_clamped(const std::vector<double>& xs, const std::vector<double>& ys, double x) {
  assert(!xs.empty() && xs.size() == ys.size());
  if (x <= xs.front()) return ys.front();
  if (x >= xs.back()) return ys.back();
  const auto hi = std::size_t(std::upper_bound(xs.begin(), xs.end(), x) - xs.begin());
  const std::size_t lo = hi - 1;
  const double f = (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + f * (ys[hi] - ys[lo]);
}

DeviationLimits rtog0915_r50_limits(double ptv_cc) {
  return {interpolate_clamped(kTablePtvCc, kR50None, ptv_cc), interpolate_clamped(kTablePtvCc, kR50Minor, ptv_cc)};
}

DeviationLimits rtog0915_d2cm_limits(double ptv_cc) {
  return {interpolate_clamped(kTablePtvCc, kD2cmNone, ptv_cc), interpolate_clamped(kTablePtvCc, kD2cmMinor, ptv_cc)};
}

DeviationLevel deviation_level(double value, const DeviationLimits& limits) {
  if (value <= limits.none_max) return DeviationLevel::none;
  if (value <= limits.minor_max) return DeviationLevel::minor;
  return DeviationLevel::major;
}

Dvh dvh_from_samples(const StructureSamples& samples, double bin_width_gy, int eqd2_fractions, double alpha_beta_gy) {
  assert(bin_width_gy > 0);
  const bool convert = eqd2_fractions > 0;
  assert(!convert || alpha_beta_gy > 0);
  std::vector<double> doses(samples.dose_gy.size());
  double max_gy = 0, min_gy = kInf, weighted = 0, total = 0;
  for (std::size_t i = 0; i < doses.size(); ++i) {
    const double d = convert ? eqd2_of_physical_dose(samples.dose_gy[i], eqd2_fractions, alpha_beta_gy)
                             : double(samples.dose_gy[i]);
    doses[i] = d;
    max_gy = std::max(max_gy, d);
    min_gy = std::min(min_gy, d);
    weighted += d * samples.weight_mm3[i];
    total += samples.weight_mm3[i];
  }
  std::vector<double> bins(std::size_t(std::ceil(max_gy / bin_width_gy)) + 2, 0.0);
  for (std::size_t i = 0; i < doses.size(); ++i)
    bins[std::min(bins.size() - 1, std::size_t(std::max(0.0, doses[i] / bin_width_gy)))] += samples.weight_mm3[i];
  if (total <= 0) return Dvh(bin_width_gy, {}, samples.outside_volume_mm3, 0, 0, 0);
  return Dvh(bin_width_gy, std::move(bins), samples.outside_volume_mm3, min_gy, max_gy, weighted / total);
}

// ---- Plan quality ----

Expected<PlanQuality> compute_plan_quality(const Structure& body, const std::vector<QaTarget>& targets,
                                           const DoseVolume& dose_gy, const PlanQualityOptions& options) {
  if (targets.empty()) return Error::bad_argument("targets", "at least one target (PTV)", "none");
  for (const auto& t : targets) {
    if (!t.structure) return Error::bad_argument("targets", "a target structure", "none");
    if (!(t.prescription_gy > 0))
      return Error::bad_argument("prescription of " + t.structure->name, "a positive dose in Gy",
                                 format("%g", t.prescription_gy));
  }
  const bool radiobiology = options.fractions > 0 && options.alpha_beta_gy;
  if (radiobiology) {
    if (auto s = check_fractionation(options.fractions, *options.alpha_beta_gy); !s) return s.error();
  }

  PlanQuality out;
  out.body_name = body.name;
  const DoseField field(dose_gy);
  std::vector<StackDistance> distances;
  for (const auto& t : targets) {
    const Structure& s = *t.structure;
    auto result = compute_dvh(s, field, options.engine);
    if (!result) return result.error();
    const Dvh& dvh = result->dvh;
    TargetQuality q;
    q.roi_number = s.roi_number;
    q.name = s.name;
    q.prescription_gy = t.prescription_gy;
    q.warnings = warning_texts(result->warnings);
    q.tv_cc = dvh.covered_volume_cc();
    q.coverage = dvh.coverage();
    if (dvh.empty()) {
      q.warnings.push_back("the target has no volume inside the dose grid: no indices");
      out.targets.push_back(std::move(q));
      auto stack = build_contour_stack(s, options.engine.end_cap, options.engine.single_plane_thickness_mm);
      if (!stack) return stack.error();
      distances.emplace_back(*stack);
      continue;
    }
    const double rx = t.prescription_gy;
    q.tv_piv_cc = dvh.volume_at_least_cc(rx);
    q.v100_pct = 100 * q.tv_piv_cc / q.tv_cc;
    auto d_pct = [&](double pct) { return dvh.dose_at_volume_cc(pct / 100 * q.tv_cc).value_or(0.0); };
    q.d98_gy = d_pct(98);
    q.d95_gy = d_pct(95);
    q.d50_gy = d_pct(50);
    q.d2_gy = d_pct(2);
    q.mean_gy = dvh.mean_gy();
    q.min_gy = dvh.min_gy();
    q.max_gy = dvh.max_gy();
    if (q.tv_cc >= 2) {
      q.near_max_gy = q.d2_gy;
      q.near_max_metric = "D2%";
    } else {
      q.near_max_gy = dvh.dose_at_volume_cc(std::min(0.035, q.tv_cc)).value_or(q.max_gy);
      q.near_max_metric = "D0.035cc";
    }
    if (q.d50_gy > 0) q.hi = (q.d2_gy - q.d98_gy) / q.d50_gy;
    q.r50_limits = rtog0915_r50_limits(q.tv_cc);
    q.d2cm_limits = rtog0915_d2cm_limits(q.tv_cc);

    if (radiobiology) {
      auto samples = sample_structure(s, dose_gy, options.engine);
      if (!samples) return samples.error();
      const double ab = *options.alpha_beta_gy;
      const int n = options.fractions;
      const Dvh eqd2 = dvh_from_samples(*samples, options.engine.bin_width_gy, n, ab);
      TargetRadiobiology r;
      r.alpha_beta_gy = ab;
      r.fractions = n;
      r.rx_bed_gy = *bed_gy(rx, n, ab);
      r.rx_eqd2_gy = *eqd2_gy(rx, n, ab);
      const double cc = eqd2.covered_volume_cc();
      auto e_pct = [&](double pct) { return eqd2.dose_at_volume_cc(pct / 100 * cc).value_or(0.0); };
      r.d98_eqd2_gy = e_pct(98);
      r.d95_eqd2_gy = e_pct(95);
      r.d50_eqd2_gy = e_pct(50);
      r.d2_eqd2_gy = e_pct(2);
      r.mean_eqd2_gy = eqd2.mean_gy();
      const double bed_per_eqd2 = 1 + 2 / ab;
      r.d95_bed_gy = r.d95_eqd2_gy * bed_per_eqd2;
      r.mean_bed_gy = r.mean_eqd2_gy * bed_per_eqd2;
      q.radiobiology = r;
    }
    auto stack = build_contour_stack(s, options.engine.end_cap, options.engine.single_plane_thickness_mm);
    if (!stack) return stack.error();
    distances.emplace_back(*stack);
    out.targets.push_back(std::move(q));
  }

  auto body_samples = sample_structure(body, dose_gy, options.engine);
  if (!body_samples) return body_samples.error();
  const StructureSamples& b = *body_samples;
  out.body_volume_cc = b.covered_volume_mm3() / 1000;
  if (b.outside_volume_mm3 > 0)
    out.warnings.push_back(format("%.1f cc of the body lies outside the dose grid: PIV, PIV50 and D2cm count only "
                                  "the part inside it",
                                  b.outside_volume_mm3 / 1000));
  if (out.body_volume_cc <= 0) out.warnings.push_back("the body structure has no volume: no PIV, PIV50 or D2cm");
  const std::size_t n_targets = targets.size();
  out.attribution = n_targets == 1
                        ? "single target: the whole " + body.name + " is attributed to it"
                        : "nearest target surface: each " + body.name +
                              " sample goes to the PTV whose contour-stack surface is nearest (exact Euclidean "
                              "distance; a Voronoi split of the body); PIV, PIV50 and the D2cm region of a target "
                              "are taken in its own cell";

  double min_rx = kInf;
  for (const auto& t : targets) min_rx = std::min(min_rx, t.prescription_gy);

  std::vector<double> piv_mm3(n_targets, 0), piv50_mm3(n_targets, 0);
  std::vector<std::optional<double>> d2cm_gy(n_targets);
  std::size_t d2cm_found = 0;
  std::vector<double> lower(n_targets);
  std::vector<std::size_t> by_lower(n_targets);
  const double d2cm_mm = options.d2cm_distance_mm;

  // Returns false once nothing more can change: every sample >= 50% of the smallest Rx attributed and
  // every target's D2cm found.
  auto attribute = [&](double dose, std::uint32_t index) {
    if (dose < 0.5 * min_rx && d2cm_found == n_targets) return false;
    const PatientPoint p = b.points[index];
    std::size_t cell = 0;
    double cell_distance = kInf;  // exact, or any value < d2cm_mm when the sample is known to be closer
    if (n_targets == 1) {
      if (d2cm_found == 0) {
        cell_distance = distances[0].lower_bound_mm(p);
        if (cell_distance < d2cm_mm) cell_distance = distances[0].distance_mm(p, d2cm_mm);
      }
    } else {
      // Nearest target: candidates in order of their bounding-box lower bounds. The first one's distance
      // is computed with an early exit below d2cm_mm (an upper bound then); when another candidate's
      // lower bound is below that bound, all candidates that could be nearer are computed exactly.
      for (std::size_t t = 0; t < n_targets; ++t) lower[t] = distances[t].lower_bound_mm(p);
      std::iota(by_lower.begin(), by_lower.end(), std::size_t(0));
      std::sort(by_lower.begin(), by_lower.end(), [&](std::size_t x, std::size_t y) { return lower[x] < lower[y]; });
      cell = by_lower[0];
      cell_distance = distances[cell].distance_mm(p, d2cm_mm);
      if (lower[by_lower[1]] < cell_distance) {
        cell_distance = distances[cell].distance_mm(p);
        for (std::size_t k = 1; k < n_targets; ++k) {
          const std::size_t t = by_lower[k];
          if (lower[t] >= cell_distance) break;
          const double d = distances[t].distance_mm(p);
          if (d < cell_distance) {
            cell_distance = d;
            cell = t;
          }
        }
      }
    }
    const double w = b.weight_mm3[index];
    const double rx = targets[cell].prescription_gy;
    if (dose >= rx) piv_mm3[cell] += w;
    if (dose >= 0.5 * rx) piv50_mm3[cell] += w;
    if (!d2cm_gy[cell] && cell_distance >= d2cm_mm && cell_distance < kInf) {
      d2cm_gy[cell] = dose;
      ++d2cm_found;
    }
    return true;
  };

  // BODY samples in descending dose: every sample >= 50% of the smallest Rx is attributed (PIV, PIV50);
  // below that, only until every target has found its D2cm (the hottest sample of its cell at >= 20 mm).
  // Sorted in two stages (above and below a quarter of the smallest Rx): the second is rarely needed.
  auto stage = [&](double low_gy, double high_gy) {
    std::vector<std::pair<float, std::uint32_t>> order;
    for (std::size_t i = 0; i < b.dose_gy.size(); ++i)
      if (b.dose_gy[i] >= low_gy && b.dose_gy[i] < high_gy) order.emplace_back(b.dose_gy[i], std::uint32_t(i));
    std::sort(order.begin(), order.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first > y.first : x.second < y.second;
    });
    for (const auto& [dose, index] : order)
      if (!attribute(dose, index)) return false;
    return true;
  };
  const double split_gy = 0.25 * min_rx;
  if (stage(split_gy, kInf)) stage(-kInf, split_gy);

  for (std::size_t t = 0; t < n_targets; ++t) {
    TargetQuality& q = out.targets[t];
    if (q.tv_cc <= 0) continue;
    q.piv_cc = piv_mm3[t] / 1000;
    q.piv50_cc = piv50_mm3[t] / 1000;
    if (out.body_volume_cc <= 0) continue;
    q.rtog_ci = q.piv_cc / q.tv_cc;
    q.r50 = q.piv50_cc / q.tv_cc;
    if (q.piv_cc > 0) {
      q.paddick_ci = q.tv_piv_cc * q.tv_piv_cc / (q.tv_cc * q.piv_cc);
      q.gradient_index = q.piv50_cc / q.piv_cc;
    } else {
      q.warnings.push_back("no body volume receives the prescription: Paddick CI and GI undefined");
    }
    q.r50_level = deviation_level(*q.r50, q.r50_limits);
    if (d2cm_gy[t]) {
      q.d2cm_pct = 100 * *d2cm_gy[t] / q.prescription_gy;
      q.d2cm_level = deviation_level(*q.d2cm_pct, q.d2cm_limits);
    } else {
      q.warnings.push_back(format("no %g mm shell: no body sample lies %g mm or more from the PTV in its cell",
                                  d2cm_mm, d2cm_mm));
    }
    if (q.tv_piv_cc > q.piv_cc * 1.02 + 1e-3)
      q.warnings.push_back("part of the PTV receiving the prescription lies outside the body structure");
  }
  return out;
}

}  // namespace sbrtkit
