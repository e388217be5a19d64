#pragma once
// The sampling kernel shared by every structure-volume computation: a contour stack is cut into
// (plane, sub-slab) tasks; each task walks rows of constant v, intersects them exactly with the plane's
// loops, and visits lattice samples inside the intervals with the exact interval length as weight,
// interpolating the dose trilinearly at each. A Visitor decides what to do with the samples (histogram,
// collection, ...). Tasks are independent: run them in parallel and reduce in task order.
//
// Visitor interface (static):
//   void volume_sample(double u, double v, double w, double dose_gy, double weight_mm3);
//   void outside_sample(double u, double v, double w, double weight_mm3);  // beyond the dose grid
//   void outside_run(double u0, double du, std::int64_t count, double v, double w, double weight_mm3);
//        // count samples at u0, u0 + du, ... all beyond the dose grid, in one call
//   void boundary_dose(double dose_gy);  // zero-weight points on the boundary, for exact extremes
//
// Work is bounded by the dose grid, not by the structure: on each row only the samples near the part
// of the row inside the grid's cells are visited one by one; the runs before and after it (and whole
// rows that miss the grid) go to outside_run in O(1). A 10 m structure on a 30 cm dose grid costs its
// row intersections, not 10^10 samples (issue 20: a 10^6 mm square took over a minute).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "row_intervals.h"
#include "sbrtkit/contour_stack.h"
#include "sbrtkit/dvh_engine.h"
#include "trilinear_sampler.h"

namespace sbrtkit::detail {

struct SlabTask {
  std::size_t plane;
  int sub_slab;
};

/// Adaptive sample step: about options.target_samples per structure, so a 0.1 cc target is sampled
/// as densely relative to its size as a 100 cc one, bounded below for cost and above by the dose grid.
double choose_step_mm(const ContourStack& stack, const ImageGeometry& dose_grid, const DvhOptions& options);

class SlabSampler {
 public:
  SlabSampler(const ContourStack& stack, const DoseVolume& dose, double step_mm);

  const std::vector<SlabTask>& tasks() const { return tasks_; }
  double step_mm() const { return step_mm_; }

  template <class Visitor>
  void run(std::size_t task_index, Visitor& visitor) const;

  /// The row kernel, shared with ShapeSampler (core/shape_interpolation.h).
  template <class Visitor>
  void visit_row(double v, double w, double s_v, double t, double u_offset, const std::vector<Interval>& intervals,
                 Visitor& visitor) const;
  /// Zero-weight boundary points at the ends of the intervals of row v on the face w.
  template <class Visitor>
  void visit_face(double w, double v, const std::vector<Interval>& intervals, Visitor& visitor) const {
    const IndexPoint face_start = geometry_.to_index(stack_.to_patient(0, v, w));
    for (const auto& iv : intervals) visit_boundary(face_start, iv, visitor);
  }
  const RowIntersector& rows(std::size_t plane) const { return rows_[plane]; }

 private:
  // Additive recurrences (Kronecker sequences) give each row and sub-slab its own sub-sample offset.
  // Regular lattices would put whole rows at one dose in a gradient along v or w and turn the DVH into
  // a staircase; these offsets spread sample positions densely along every direction, deterministically.
  static constexpr double kAlpha1 = 0.7548776662466927;  // 1/plastic number
  static constexpr double kAlpha2 = 0.5698402909980532;  // 1/plastic number^2
  static constexpr double kGolden = 0.6180339887498949;
  static double frac(double x) { return x - std::floor(x); }

  int sub_slab_count(const ContourPlane& plane) const {
    return std::max(1, int(std::ceil(plane.thickness_mm() / step_mm_ - 1e-9)));
  }
  static double component(const IndexPoint& p, int axis) { return axis == 0 ? p.i : axis == 1 ? p.j : p.k; }
  bool dose_at(const IndexPoint& row_start, double u, double& dose) const {
    return sampler_.sample(row_start.i + u * du_.i, row_start.j + u * du_.j, row_start.k + u * du_.k, dose);
  }
  template <class Visitor>
  void visit_boundary(const IndexPoint& row_start, const Interval& iv, Visitor& visitor) const {
    for (double u : {iv.begin, iv.end}) {
      double dose;
      if (dose_at(row_start, u, dose)) visitor.boundary_dose(dose);
    }
  }

  /// The u range of a row (index row_start + u du_) inside the grid's cells widened by two steps: samples
  /// beyond it are certainly outside; those inside it are tested one by one. Empty (lo > hi) when the
  /// row misses the grid.
  struct Window {
    double lo, hi;
  };
  Window window(const IndexPoint& row_start) const;

  const ContourStack& stack_;
  TrilinearSampler sampler_;
  double grid_hi_[3];  // n - 0.5 per index axis (the low end is -0.5)
  const ImageGeometry& geometry_;
  double step_mm_;
  IndexPoint du_;
  int line_axis_ = -1;  // the only dose-grid axis along which rows advance, -1 for oblique rows
  std::vector<RowIntersector> rows_;
  std::vector<SlabTask> tasks_;
};

template <class Visitor>
void SlabSampler::run(std::size_t task_index, Visitor& visitor) const {
  const SlabTask& task = tasks_[task_index];
  const ContourPlane& plane = stack_.planes[task.plane];
  const RowIntersector& rows = rows_[task.plane];
  const int sub_slabs = sub_slab_count(plane);
  const double t = plane.thickness_mm() / sub_slabs;
  const double v_span = rows.v_max() - rows.v_min();
  const std::int64_t row_count = std::max<std::int64_t>(1, std::int64_t(std::ceil(v_span / step_mm_)));
  const double s_v = v_span / double(row_count);
  const double row_offset = frac(0.5 + task.sub_slab * kGolden + double(task.plane) * kAlpha2);

  std::vector<double> crossings;
  std::vector<Interval> intervals;
  for (std::int64_t j = 0; j < row_count; ++j) {
    const double v = rows.v_min() + (double(j) + row_offset) * s_v;
    rows.intervals(v, crossings, intervals);
    if (intervals.empty()) continue;
    const double w = plane.slab_low_mm + (task.sub_slab + frac(0.5 + double(j) * kAlpha2)) * t;
    const double u_offset = frac(0.5 + double(j) * kAlpha1 + task.sub_slab * kGolden);
    visit_row(v, w, s_v, t, u_offset, intervals, visitor);
    // Slab faces bound the structure along w (at the ends of the stack and between planes).
    if (task.sub_slab == 0) visit_face(plane.slab_low_mm, v, intervals, visitor);
    if (task.sub_slab == sub_slabs - 1) visit_face(plane.slab_high_mm, v, intervals, visitor);
  }
}

/// Samples of one row (v, w) of a slab t thick whose rows are s_v apart: lattice samples (offset
/// u_offset steps) inside each exact interval, weighted by the interval's exact length, and the
/// interval ends as zero-weight boundary points. Samples beyond the row's Window go to outside_run in
/// O(1), so both SlabSampler and ShapeSampler do work bounded by the dose grid (issue 20).
template <class Visitor>
void SlabSampler::visit_row(double v, double w, double s_v, double t, double u_offset,
                            const std::vector<Interval>& intervals, Visitor& visitor) const {
  const IndexPoint row_start = geometry_.to_index(stack_.to_patient(0, v, w));
  const Window win = window(row_start);
  for (const auto& iv : intervals) {
    // Lattice samples inside the exact interval share its exact length: volume is exact along u.
    const double first = std::ceil(iv.begin / step_mm_ - u_offset);
    std::int64_t count = std::int64_t(std::floor(iv.end / step_mm_ - u_offset - 1e-12) - first) + 1;
    const bool single = count <= 0;
    if (single) count = 1;
    const double weight_mm3 = (iv.end - iv.begin) * s_v * t / double(count);
    // Samples [0, begin) and [end, count) lie beyond the window: certainly outside the grid.
    std::int64_t begin = 0, end = count;
    if (!single) {
      if (win.lo > win.hi) {
        end = 0;
      } else {
        const auto clamp_n = [&](double n) { return std::int64_t(std::clamp(n, 0.0, double(count))); };
        begin = clamp_n(std::ceil(win.lo / step_mm_ - u_offset - first));
        end = std::max(begin, clamp_n(std::floor(win.hi / step_mm_ - u_offset - first) + 1));
      }
      if (begin > 0) visitor.outside_run((first + u_offset) * step_mm_, step_mm_, begin, v, w, weight_mm3);
      if (end < count)
        visitor.outside_run((first + double(std::max(begin, end)) + u_offset) * step_mm_, step_mm_,
                            count - std::max(begin, end), v, w, weight_mm3);
      if (end <= begin) continue;  // the interval misses the grid: its ends cannot be inside either
    }
    auto visit = [&](double u, bool inside, double dose) {
      if (inside)
        visitor.volume_sample(u, v, w, dose, weight_mm3);
      else
        visitor.outside_sample(u, v, w, weight_mm3);
    };
    if (line_axis_ >= 0) {
      // Rows parallel to a dose-grid axis (the usual case): interpolate along the row only.
      const double a = component(row_start, line_axis_), da = component(du_, line_axis_);
      TrilinearSampler::Line line(sampler_, line_axis_, component(row_start, (line_axis_ + 1) % 3),
                                  component(row_start, (line_axis_ + 2) % 3));
      for (std::int64_t n = begin; n < end; ++n) {
        const double u = single ? 0.5 * (iv.begin + iv.end) : (first + double(n) + u_offset) * step_mm_;
        double dose = 0;
        const bool inside = line.sample(a + u * da, dose);
        visit(u, inside, dose);
      }
    } else {
      for (std::int64_t n = begin; n < end; ++n) {
        const double u = single ? 0.5 * (iv.begin + iv.end) : (first + double(n) + u_offset) * step_mm_;
        double dose = 0;
        const bool inside = dose_at(row_start, u, dose);
        visit(u, inside, dose);
      }
    }
    // The extremes of dose sit on the boundary: evaluate the interval ends without weight.
    visit_boundary(row_start, iv, visitor);
  }
}

}  // namespace sbrtkit::detail
