#include "sbrtkit/dvh_engine.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "sbrtkit/contour_stack.h"
#include "region_sampler.h"
#include "shape_interpolation.h"
#include "slab_sampler.h"
#include "trilinear_sampler.h"

namespace sbrtkit {
namespace {

// Sample weights are summed as 2^-32 mm^3 integers: integer addition is associative, so the histogram
// is bit-identical whatever the number of threads and the order in which they finish.
constexpr double kFixedPerMm3 = 4294967296.0;
// Sums of those integers are 128-bit: in 64 bits they overflow at 2^63 x 2^-32 mm^3 = 2,147,483 cc, which
// geometry within the patient extent can still exceed (issue 20 printed -2,135,281 cc with exit 0).
// Sums below that limit are the same integers as before.
__extension__ using FixedSum = __int128;

/// What one (plane, sub-slab) task contributes besides its histogram.
struct TaskResult {
  double weighted_dose_sum = 0;  // sum of weight_mm3 * dose_gy
  double moment_u = 0, moment_v = 0, moment_w = 0, moment_mm3 = 0;  // for the centroid, in the stack frame
  FixedSum outside_fixed = 0;
  double min_gy = std::numeric_limits<double>::infinity();
  double max_gy = -std::numeric_limits<double>::infinity();
};

/// Accumulates one task's samples into the calling thread's histogram and the task's own result.
class HistogramVisitor {
 public:
  HistogramVisitor(std::vector<FixedSum>& histogram, TaskResult& result, double bin_width_gy)
      : histogram_(histogram), result_(result), inverse_bin_(1.0 / bin_width_gy),
        max_bin_(double(histogram.size() - 1)) {}

  void volume_sample(double u, double v, double w, double dose, double weight_mm3) {
    result_.weighted_dose_sum += weight_mm3 * dose;
    add_moment(u, v, w, weight_mm3);
    boundary_dose(dose);
    // Clamped at both ends: a DoseType ERROR grid may hold negative values (they count in the first bin).
    histogram_[std::size_t(std::clamp(dose * inverse_bin_, 0.0, max_bin_))] += fixed(weight_mm3);
  }
  void outside_sample(double u, double v, double w, double weight_mm3) {
    result_.outside_fixed += fixed(weight_mm3);
    add_moment(u, v, w, weight_mm3);
  }
  /// count samples at u0 + n du (n < count), the sums in closed form: the same fixed-point volume as
  /// count outside_sample calls, the centroid moments up to rounding.
  void outside_run(double u0, double du, std::int64_t count, double v, double w, double weight_mm3) {
    const double n = double(count);
    result_.outside_fixed += FixedSum(count) * fixed(weight_mm3);
    result_.moment_u += weight_mm3 * (n * u0 + du * n * (n - 1) / 2);
    result_.moment_v += weight_mm3 * n * v;
    result_.moment_w += weight_mm3 * n * w;
    result_.moment_mm3 += weight_mm3 * n;
  }
  void boundary_dose(double dose) {
    result_.min_gy = std::min(result_.min_gy, dose);
    result_.max_gy = std::max(result_.max_gy, dose);
  }

 private:
  void add_moment(double u, double v, double w, double weight_mm3) {
    result_.moment_u += weight_mm3 * u;
    result_.moment_v += weight_mm3 * v;
    result_.moment_w += weight_mm3 * w;
    result_.moment_mm3 += weight_mm3;
  }
  // Samples of one interval share a weight: convert it once.
  std::int64_t fixed(double mm3) {
    if (mm3 != last_mm3_) {
      last_mm3_ = mm3;
      last_fixed_ = std::int64_t(std::llround(mm3 * kFixedPerMm3));
    }
    return last_fixed_;
  }
  double last_mm3_ = -1;
  std::int64_t last_fixed_ = 0;
  std::vector<FixedSum>& histogram_;
  TaskResult& result_;
  double inverse_bin_, max_bin_;
};

/// The histogram and task results of one sampler, reduced in task order.
struct Accumulated {
  std::vector<double> bin_mm3;
  double covered_mm3 = 0;
  TaskResult total;
};

/// Runs every task of a sampler (SlabSampler or RegionSampler) into per-thread histograms of 2^-32 mm^3
/// integers; bit-identical whatever the number of threads.
template <class Sampler>
Accumulated accumulate(const Sampler& sampler, std::size_t task_count, const DoseField& dose,
                       const DvhOptions& options) {
  const auto bin_count = std::size_t(std::ceil(dose.max_gy() / options.bin_width_gy)) + 2;
  std::vector<FixedSum> histogram(bin_count, 0);
  std::vector<TaskResult> results(task_count);
  // Callers that already run structures in parallel (run_dvh) get a serial kernel here.
#pragma omp parallel if (!omp_in_parallel())
  {
    std::vector<FixedSum> local(bin_count, 0);
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t t = 0; t < std::int64_t(task_count); ++t) {
      HistogramVisitor visitor(local, results[std::size_t(t)], options.bin_width_gy);
      sampler.run(std::size_t(t), visitor);
    }
#pragma omp critical(sbrtkit_dvh_merge)
    for (std::size_t b = 0; b < bin_count; ++b) histogram[b] += local[b];
  }

  // Reductions in task order keep floating-point sums independent of the thread count.
  Accumulated out;
  TaskResult& total = out.total;
  for (const auto& r : results) {
    total.weighted_dose_sum += r.weighted_dose_sum;
    total.moment_u += r.moment_u;
    total.moment_v += r.moment_v;
    total.moment_w += r.moment_w;
    total.moment_mm3 += r.moment_mm3;
    total.outside_fixed += r.outside_fixed;
    total.min_gy = std::min(total.min_gy, r.min_gy);
    total.max_gy = std::max(total.max_gy, r.max_gy);
  }
  out.bin_mm3.resize(bin_count);
  for (std::size_t b = 0; b < bin_count; ++b) {
    out.bin_mm3[b] = double(histogram[b]) / kFixedPerMm3;
    out.covered_mm3 += out.bin_mm3[b];
  }
  return out;
}

std::string format_cc(double cc) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f cc", cc);
  return buffer;
}

void add_outside_warning(StructureDvh& out, double outside_mm3, double covered_mm3) {
  if (outside_mm3 > 0) {
    const double fraction = outside_mm3 / (outside_mm3 + covered_mm3);
    char buffer[160];
    std::snprintf(buffer, sizeof buffer, "%s (%.1f%%) of the structure lies outside the dose grid; "
                  "metrics use the covered %.1f%%", format_cc(outside_mm3 / 1000).c_str(), 100 * fraction,
                  100 * (1 - fraction));
    out.warnings.push_back({DvhWarningKind::outside_dose_grid, buffer});
  }
}

}  // namespace

std::vector<std::string> warning_texts(const std::vector<DvhWarning>& warnings) {
  std::vector<std::string> out;
  out.reserve(warnings.size());
  for (const auto& w : warnings) out.push_back(w.text);
  return out;
}

DoseField::DoseField(const DoseVolume& dose_gy) : dose_(&dose_gy) {
  float max_value = 0;
  for (float d : dose_gy.voxels) max_value = std::max(max_value, d);
  max_gy_ = max_value;
}

std::optional<double> dose_at(const DoseVolume& dose_gy, PatientPoint p) {
  const IndexPoint q = dose_gy.geometry.to_index(p);
  double d = 0;
  if (!detail::TrilinearSampler(dose_gy).sample(q.i, q.j, q.k, d)) return std::nullopt;
  return d;
}

Expected<StructureDvh> compute_dvh(const Structure& structure, const DoseVolume& dose_gy, const DvhOptions& options) {
  return compute_dvh(structure, DoseField(dose_gy), options);
}

std::vector<Expected<StructureDvh>> compute_dvhs(const std::vector<const Structure*>& structures,
                                                 const DoseField& dose, const DvhOptions& options) {
  std::vector<std::optional<Expected<StructureDvh>>> slots(structures.size());
#pragma omp parallel for schedule(dynamic, 1) if (structures.size() > 1)
  for (std::int64_t i = 0; i < std::int64_t(structures.size()); ++i)
    slots[std::size_t(i)] = compute_dvh(*structures[std::size_t(i)], dose, options);
  std::vector<Expected<StructureDvh>> out;
  out.reserve(structures.size());
  for (auto& slot : slots) out.push_back(std::move(*slot));
  return out;
}

Expected<StructureDvh> compute_dvh(const Structure& structure, const DoseField& dose, const DvhOptions& options) {
  auto stack = build_contour_stack(structure, options.end_cap, options.single_plane_thickness_mm);
  if (!stack) return stack.error();

  StructureDvh out;
  if (stack->open_contours > 0)
    out.warnings.push_back({DvhWarningKind::open_contours,
                            std::to_string(stack->open_contours) + " open contour(s) listed but given no volume"});
  if (stack->point_contours > 0)
    out.warnings.push_back({DvhWarningKind::point_contours,
                            std::to_string(stack->point_contours) + " POINT contour(s) listed but given no volume"});
  if (stack->planes.size() == 1) {
    if (options.single_plane_thickness_mm > 0)
      out.warnings.push_back({DvhWarningKind::single_plane, "contoured on a single plane: slab thickness " +
                                                                std::to_string(options.single_plane_thickness_mm) +
                                                                " mm assumed"});
    else
      out.warnings.push_back(
          {DvhWarningKind::single_plane, "contoured on a single plane and no slice thickness known: no volume"});
  }
  const double nominal_mm3 = stack->nominal_volume_mm3();
  if (!std::isfinite(nominal_mm3))
    return Error::bad_value("", "(3006,0050) ContourData", "contours with a finite area", "a non-finite volume")
        .with_context("ROI " + std::to_string(structure.roi_number) + " '" + structure.name + "'");
  if (stack->planes.empty() || nominal_mm3 <= 0) {
    out.dvh = Dvh(options.bin_width_gy, {}, 0, 0, 0, 0);
    out.warnings.push_back({DvhWarningKind::empty_structure, "structure is empty: no closed contours with an area"});
    return out;
  }

  const double step_mm = detail::choose_step_mm(*stack, dose.volume().geometry, options);
  // Shape-based interpolation needs two planes; a single-plane structure keeps its slab in both modes.
  Accumulated acc;
  if (options.between_planes == BetweenPlanes::shape && stack->planes.size() >= 2) {
    const detail::ShapeSampler sampler(*stack, dose.volume(), step_mm, options.end_cap);
    acc = accumulate(sampler, sampler.task_count(), dose, options);
  } else {
    const detail::SlabSampler sampler(*stack, dose.volume(), step_mm);
    acc = accumulate(sampler, sampler.tasks().size(), dose, options);
  }
  TaskResult& total = acc.total;
  const double covered_mm3 = acc.covered_mm3;
  const double outside_mm3 = double(total.outside_fixed) / kFixedPerMm3;
  const double mean_gy = covered_mm3 > 0 ? total.weighted_dose_sum / covered_mm3 : 0.0;
  if (covered_mm3 <= 0) total.min_gy = total.max_gy = 0;
  out.dvh = Dvh(options.bin_width_gy, std::move(acc.bin_mm3), outside_mm3, total.min_gy, total.max_gy, mean_gy);
  if (total.moment_mm3 > 0)
    out.centroid = stack->to_patient(total.moment_u / total.moment_mm3, total.moment_v / total.moment_mm3,
                                     total.moment_w / total.moment_mm3);
  add_outside_warning(out, outside_mm3, covered_mm3);
  return out;
}

Expected<StructureDvh> compute_region_dvh(const ImageGeometry& grid, const LesionVoxels& region,
                                          const RigidMap& grid_to_dose, const DoseField& dose,
                                          const DvhOptions& options) {
  if (auto s = detail::check_region(grid, region); !s) return s.error();
  double volume_mm3 = 0;
  for (float w : region.weight) volume_mm3 += std::max(0.0f, w) * grid.voxel_volume_mm3();
  StructureDvh out;
  if (volume_mm3 <= 0) {
    out.dvh = Dvh(options.bin_width_gy, {}, 0, 0, 0, 0);
    out.warnings.push_back({DvhWarningKind::empty_structure, "region is empty: no voxel with a positive occupancy"});
    return out;
  }
  const detail::RegionSampler sampler(grid, region, grid_to_dose, dose.volume(),
                                      detail::choose_region_step_mm(volume_mm3, dose.volume().geometry, options));
  Accumulated acc = accumulate(sampler, sampler.task_count(), dose, options);
  TaskResult& total = acc.total;
  const double outside_mm3 = double(total.outside_fixed) / kFixedPerMm3;
  const double mean_gy = acc.covered_mm3 > 0 ? total.weighted_dose_sum / acc.covered_mm3 : 0.0;
  if (acc.covered_mm3 <= 0) total.min_gy = total.max_gy = 0;
  out.dvh = Dvh(options.bin_width_gy, std::move(acc.bin_mm3), outside_mm3, total.min_gy, total.max_gy, mean_gy);
  if (total.moment_mm3 > 0)
    out.centroid = {total.moment_u / total.moment_mm3, total.moment_v / total.moment_mm3,
                    total.moment_w / total.moment_mm3};
  add_outside_warning(out, outside_mm3, acc.covered_mm3);
  return out;
}


}  // namespace sbrtkit
