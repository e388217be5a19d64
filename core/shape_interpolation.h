#pragma once
// Shape-based reconstruction of the solid between contour planes (DvhOptions::between_planes = shape).
//
// Between adjacent planes a (at w_a) and b (at w_b), a point (u, v, w) is inside when the signed
// distances to the two planes' even-odd regions, interpolated linearly along the stack, are <= 0:
//     f = (1 - t) d_a(u, v) + t d_b(u, v),   t = (w - w_a) / (w_b - w_a),   d < 0 inside.
// The zero level set is the surface: a sphere's taper between planes is followed instead of a
// staircase, one contour splitting into two (branching) separates smoothly, holes come with the
// even-odd rule since d's sign is read from the row's exact even-odd intervals.
//
// End model (beyond the first and last planes, with EndCap::half): the distance field is
// extrapolated along the stack from the two outermost planes, never growing the section:
//     f = d_0(u, v) + e * max(0, (d_0 - d_1) / g),   e = distance beyond the end plane, g = the gap,
// and the cap is cut at e = g / 2, the slab model's half-slice. So a cylinder (sections that do not
// shrink) keeps exactly the slab's half-slice cap (its true end is on average half a gap beyond the
// last plane when planes fall anywhere), while a sphere or a cone tip tapers at the shrinking rate of
// its last two sections (a frustum for a sphere, the tip itself for a cone) and closes if that rate
// takes it to nothing within g / 2. Sections never grow beyond the end plane: a growth trend there is
// as likely a flat end (a cone's base) as a solid that goes on, and the end plane is the evidence.
// Known limit: a feature thinner than its in-plane displacement between two planes (a thin wall on a
// steep slope) vanishes mid-gap, as with any distance-field interpolation (docs/dvh-accuracy.md).
// EndCap::none: no cap. A single-plane structure has no trend: ShapeSampler is not used for it.
//
// Rows are still exact along u where the two sections agree (inside both or outside both); only where
// they differ is f solved for its zeros (regula falsi, Illinois variant), so the volume stays
// fractional and the dose is sampled by the same row kernel as the slab model (SlabSampler::visit_row).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "plane_distance.h"
#include "row_intervals.h"
#include "sbrtkit/contour_stack.h"
#include "slab_sampler.h"

namespace sbrtkit::detail {

/// One band of w: between planes lower and lower + 1, or an end cap beyond plane `lower` (cap = -1
/// below the first plane, +1 above the last); cut into sub-slabs about one step thick.
struct ShapeBand {
  std::size_t lower;
  int cap;         // 0: between planes lower and lower + 1
  double w0, w1;   // the band's w range
  int sub_slabs;
};

struct ShapeTask {
  std::size_t band;
  int sub_slab;
};

class ShapeSampler {
 public:
  /// The stack needs at least two planes (the caller falls back to SlabSampler otherwise).
  ShapeSampler(const ContourStack& stack, const DoseVolume& dose, double step_mm, EndCap end_cap);

  std::size_t task_count() const { return tasks_.size(); }
  template <class Visitor>
  void run(std::size_t task_index, Visitor& visitor) const;

  /// Inside intervals of row v at height w (exposed for tests): the zero set of f along the row.
  void intervals(std::size_t band, double v, double w, std::vector<Interval>& out) const;

 private:
  static constexpr double kAlpha1 = 0.7548776662466927;
  static constexpr double kAlpha2 = 0.5698402909980532;
  static constexpr double kGolden = 0.6180339887498949;
  static double frac(double x) { return x - std::floor(x); }

  const ContourStack& stack_;
  SlabSampler slab_;  // the row kernel and each plane's exact row intervals
  double step_mm_;
  std::vector<PlaneDistance> distance_;
  std::vector<ShapeBand> bands_;
  std::vector<ShapeTask> tasks_;
};

template <class Visitor>
void ShapeSampler::run(std::size_t task_index, Visitor& visitor) const {
  const ShapeTask& task = tasks_[task_index];
  const ShapeBand& band = bands_[task.band];
  const RowIntersector& rows = slab_.rows(band.lower);
  double v_min = rows.v_min(), v_max = rows.v_max();
  if (band.cap == 0) {
    v_min = std::min(v_min, slab_.rows(band.lower + 1).v_min());
    v_max = std::max(v_max, slab_.rows(band.lower + 1).v_max());
  }
  const double t = (band.w1 - band.w0) / band.sub_slabs;
  const double v_span = v_max - v_min;
  const std::int64_t row_count = std::max<std::int64_t>(1, std::int64_t(std::ceil(v_span / step_mm_)));
  const double s_v = v_span / double(row_count);
  const double row_offset = frac(0.5 + task.sub_slab * kGolden + double(task.band) * kAlpha2);
  std::vector<Interval> inside, face;
  std::vector<double> crossings;
  for (std::int64_t j = 0; j < row_count; ++j) {
    const double v = v_min + (double(j) + row_offset) * s_v;
    const double w = band.w0 + (task.sub_slab + frac(0.5 + double(j) * kAlpha2)) * t;
    intervals(task.band, v, w, inside);
    if (!inside.empty())
      slab_.visit_row(v, w, s_v, t, frac(0.5 + double(j) * kAlpha1 + task.sub_slab * kGolden), inside, visitor);
    // Boundary points for exact extremes: the contours themselves on the planes, and the outer face
    // (or the closing tip, to a sub-slab) of each cap.
    if (band.cap == 0) {
      if (task.sub_slab == 0) {
        slab_.rows(band.lower).intervals(v, crossings, face);
        slab_.visit_face(band.w0, v, face, visitor);
      }
      if (task.sub_slab == band.sub_slabs - 1) {
        slab_.rows(band.lower + 1).intervals(v, crossings, face);
        slab_.visit_face(band.w1, v, face, visitor);
      }
    } else if (task.sub_slab == (band.cap < 0 ? 0 : band.sub_slabs - 1)) {
      const double outer = band.cap < 0 ? band.w0 : band.w1;
      intervals(task.band, v, outer, face);
      slab_.visit_face(outer, v, face, visitor);
    }
  }
}

}  // namespace sbrtkit::detail
