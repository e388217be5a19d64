#include "sbrtkit/dvh_engine.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "row_intervals.h"
#include "sbrtkit/contour_stack.h"
#include "trilinear_sampler.h"

namespace sbrtkit {
namespace {

// Sample weights are summed as 2^-32 mm^3 integers: integer addition is associative, so the histogram
// is bit-identical whatever the number of threads and the order in which they finish.
constexpr double kFixedPerMm3 = 4294967296.0;

// Additive recurrences (Kronecker sequences) give each row and sub-slab its own sub-sample offset.
// Regular lattices would put whole rows at one dose in a gradient along v or w and turn the DVH into a
// staircase; these offsets spread the sample positions densely along every direction, deterministically.
constexpr double kAlpha1 = 0.7548776662466927;  // 1/plastic number
constexpr double kAlpha2 = 0.5698402909980532;  // 1/plastic number^2
constexpr double kGolden = 0.6180339887498949;
double frac(double x) { return x - std::floor(x); }

struct SlabTask {
  std::size_t plane;
  int sub_slab;
};

/// What one (plane, sub-slab) task contributes besides its histogram.
struct TaskResult {
  double weighted_dose_sum = 0;  // sum of weight_mm3 * dose_gy
  std::int64_t outside_fixed = 0;
  double min_gy = std::numeric_limits<double>::infinity();
  double max_gy = -std::numeric_limits<double>::infinity();
};

class SlabKernel {
 public:
  SlabKernel(const ContourStack& stack, const DoseVolume& dose, double step_mm, double bin_width_gy)
      : stack_(stack), sampler_(dose), geometry_(dose.geometry), step_mm_(step_mm), inverse_bin_(1.0 / bin_width_gy) {
    du_ = geometry_.index_delta(stack.u_axis);
  }

  void run(const SlabTask& task, const detail::RowIntersector& rows, std::vector<std::int64_t>& histogram,
           TaskResult& result) const {
    const ContourPlane& plane = stack_.planes[task.plane];
    const int sub_slabs = sub_slab_count(plane);
    const double t = plane.thickness_mm() / sub_slabs;
    const double v_span = rows.v_max() - rows.v_min();
    const std::int64_t row_count = std::max<std::int64_t>(1, std::int64_t(std::ceil(v_span / step_mm_)));
    const double s_v = v_span / double(row_count);
    const double row_offset = frac(0.5 + task.sub_slab * kGolden + double(task.plane) * kAlpha2);
    const double max_bin = double(histogram.size() - 1);

    std::vector<double> crossings;
    std::vector<detail::Interval> intervals;
    for (std::int64_t j = 0; j < row_count; ++j) {
      const double v = rows.v_min() + (double(j) + row_offset) * s_v;
      rows.intervals(v, crossings, intervals);
      if (intervals.empty()) continue;
      const double w = plane.slab_low_mm + (task.sub_slab + frac(0.5 + double(j) * kAlpha2)) * t;
      const double u_offset = frac(0.5 + double(j) * kAlpha1 + task.sub_slab * kGolden);
      const IndexPoint row_start = geometry_.to_index(stack_.to_patient(0, v, w));

      for (const auto& iv : intervals) {
        const double length = iv.end - iv.begin;
        // Lattice samples inside the exact interval share its exact length, so volume is exact along u.
        const double first = std::ceil((iv.begin - 0.0) / step_mm_ - u_offset);
        std::int64_t count = std::int64_t(std::floor(iv.end / step_mm_ - u_offset - 1e-12) - first) + 1;
        const bool single = count <= 0;
        if (single) count = 1;
        const double weight_mm3 = length * s_v * t / double(count);
        const auto weight_fixed = std::int64_t(std::llround(weight_mm3 * kFixedPerMm3));
        for (std::int64_t n = 0; n < count; ++n) {
          const double u = single ? 0.5 * (iv.begin + iv.end) : (first + double(n) + u_offset) * step_mm_;
          double dose;
          if (!sample_at(row_start, u, dose)) {
            result.outside_fixed += weight_fixed;
            continue;
          }
          result.weighted_dose_sum += weight_mm3 * dose;
          result.min_gy = std::min(result.min_gy, dose);
          result.max_gy = std::max(result.max_gy, dose);
          histogram[std::size_t(std::min(dose * inverse_bin_, max_bin))] += weight_fixed;
        }
        // The extremes of dose sit on the boundary: evaluate the interval ends without weight.
        observe_extremes(row_start, iv, result);
      }
      // Slab faces at the ends of the stack (and between planes) bound the structure along w.
      if (task.sub_slab == 0) observe_face(plane.slab_low_mm, v, intervals, result);
      if (task.sub_slab == sub_slabs - 1) observe_face(plane.slab_high_mm, v, intervals, result);
    }
  }

  int sub_slab_count(const ContourPlane& plane) const {
    return std::max(1, int(std::ceil(plane.thickness_mm() / step_mm_ - 1e-9)));
  }

 private:
  bool sample_at(const IndexPoint& row_start, double u, double& dose) const {
    return sampler_.sample(row_start.i + u * du_.i, row_start.j + u * du_.j, row_start.k + u * du_.k, dose);
  }

  void observe_extremes(const IndexPoint& row_start, const detail::Interval& iv, TaskResult& result) const {
    for (double u : {iv.begin, iv.end}) {
      double dose;
      if (!sample_at(row_start, u, dose)) continue;
      result.min_gy = std::min(result.min_gy, dose);
      result.max_gy = std::max(result.max_gy, dose);
    }
  }

  void observe_face(double w, double v, const std::vector<detail::Interval>& intervals, TaskResult& result) const {
    const IndexPoint face_start = geometry_.to_index(stack_.to_patient(0, v, w));
    for (const auto& iv : intervals) observe_extremes(face_start, iv, result);
  }

  const ContourStack& stack_;
  detail::TrilinearSampler sampler_;
  const ImageGeometry& geometry_;
  double step_mm_;
  double inverse_bin_;
  IndexPoint du_;
};

double smallest_spacing_mm(const ImageGeometry& g) {
  return std::min({g.spacing_mm().x, g.spacing_mm().y, g.spacing_mm().z});
}

std::string format_cc(double cc) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f cc", cc);
  return buffer;
}

}  // namespace

DoseField::DoseField(const DoseVolume& dose_gy) : dose_(&dose_gy) {
  float max_value = 0;
  for (float d : dose_gy.voxels) max_value = std::max(max_value, d);
  max_gy_ = max_value;
}

Expected<StructureDvh> compute_dvh(const Structure& structure, const DoseVolume& dose_gy, const DvhOptions& options) {
  return compute_dvh(structure, DoseField(dose_gy), options);
}

Expected<StructureDvh> compute_dvh(const Structure& structure, const DoseField& dose, const DvhOptions& options) {
  auto stack = build_contour_stack(structure, options.end_cap, options.single_plane_thickness_mm);
  if (!stack) return stack.error();

  StructureDvh out;
  if (stack->open_contours > 0)
    out.warnings.push_back(std::to_string(stack->open_contours) + " open contour(s) listed but given no volume");
  if (stack->point_contours > 0)
    out.warnings.push_back(std::to_string(stack->point_contours) + " POINT contour(s) listed but given no volume");
  if (stack->planes.size() == 1) {
    if (options.single_plane_thickness_mm > 0)
      out.warnings.push_back("contoured on a single plane: slab thickness " +
                             std::to_string(options.single_plane_thickness_mm) + " mm assumed");
    else
      out.warnings.push_back("contoured on a single plane and no slice thickness known: no volume");
  }
  const double nominal_mm3 = stack->nominal_volume_mm3();
  if (stack->planes.empty() || nominal_mm3 <= 0) {
    out.dvh = Dvh(options.bin_width_gy, {}, 0, 0, 0, 0);
    out.warnings.push_back("structure is empty: no closed contours with an area");
    return out;
  }

  // Adaptive density: about target_samples per structure, so a 0.1 cc target is sampled as densely
  // relative to its size as a 100 cc one, bounded below for cost and above by the dose-grid spacing.
  const DoseVolume& dose_volume = dose.volume();
  const double max_step = options.max_step_fraction_of_dose_spacing * smallest_spacing_mm(dose_volume.geometry);
  const double step_mm = std::clamp(std::cbrt(nominal_mm3 / double(options.target_samples)), options.min_step_mm,
                                    std::max(max_step, options.min_step_mm));

  SlabKernel kernel(*stack, dose_volume, step_mm, options.bin_width_gy);
  std::vector<detail::RowIntersector> rows;
  std::vector<SlabTask> tasks;
  for (std::size_t p = 0; p < stack->planes.size(); ++p) {
    rows.emplace_back(stack->planes[p]);
    const int sub_slabs = kernel.sub_slab_count(stack->planes[p]);
    for (int m = 0; m < sub_slabs; ++m) tasks.push_back({p, m});
  }

  const auto bin_count = std::size_t(std::ceil(dose.max_gy() / options.bin_width_gy)) + 2;
  std::vector<std::int64_t> histogram(bin_count, 0);
  std::vector<TaskResult> results(tasks.size());
#pragma omp parallel
  {
    std::vector<std::int64_t> local(bin_count, 0);
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t t = 0; t < std::int64_t(tasks.size()); ++t)
      kernel.run(tasks[std::size_t(t)], rows[tasks[std::size_t(t)].plane], local, results[std::size_t(t)]);
#pragma omp critical(sbrtkit_dvh_merge)
    for (std::size_t b = 0; b < bin_count; ++b) histogram[b] += local[b];
  }

  // Reductions in task order keep floating-point sums independent of the thread count.
  TaskResult total;
  for (const auto& r : results) {
    total.weighted_dose_sum += r.weighted_dose_sum;
    total.outside_fixed += r.outside_fixed;
    total.min_gy = std::min(total.min_gy, r.min_gy);
    total.max_gy = std::max(total.max_gy, r.max_gy);
  }
  std::vector<double> bin_mm3(bin_count);
  double covered_mm3 = 0;
  for (std::size_t b = 0; b < bin_count; ++b) {
    bin_mm3[b] = double(histogram[b]) / kFixedPerMm3;
    covered_mm3 += bin_mm3[b];
  }
  const double outside_mm3 = double(total.outside_fixed) / kFixedPerMm3;
  const double mean_gy = covered_mm3 > 0 ? total.weighted_dose_sum / covered_mm3 : 0.0;
  if (covered_mm3 <= 0) total.min_gy = total.max_gy = 0;
  out.dvh = Dvh(options.bin_width_gy, std::move(bin_mm3), outside_mm3, total.min_gy, total.max_gy, mean_gy);
  if (outside_mm3 > 0) {
    const double fraction = outside_mm3 / (outside_mm3 + covered_mm3);
    char buffer[160];
    std::snprintf(buffer, sizeof buffer, "%s (%.1f%%) of the structure lies outside the dose grid; "
                  "metrics use the covered %.1f%%", format_cc(outside_mm3 / 1000).c_str(), 100 * fraction,
                  100 * (1 - fraction));
    out.warnings.emplace_back(buffer);
  }
  return out;
}

}  // namespace sbrtkit
