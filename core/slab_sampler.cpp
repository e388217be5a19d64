#include "slab_sampler.h"

#include <cmath>
#include <limits>
#include <utility>

namespace sbrtkit::detail {

double choose_step_mm(const ContourStack& stack, const ImageGeometry& dose_grid, const DvhOptions& options) {
  const Vec3 s = dose_grid.spacing_mm();
  const double max_step = options.max_step_fraction_of_dose_spacing * std::min({s.x, s.y, s.z});
  return std::clamp(std::cbrt(stack.nominal_volume_mm3() / double(options.target_samples)), options.min_step_mm,
                    std::max(max_step, options.min_step_mm));
}

SlabSampler::Window SlabSampler::window(const IndexPoint& row_start) const {
  // Index tolerance of the certain-outside test: far below any sample spacing, far above rounding.
  constexpr double kTol = 1e-6;
  const double r[3] = {row_start.i, row_start.j, row_start.k};
  const double d[3] = {du_.i, du_.j, du_.k};
  Window w{-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  for (int a = 0; a < 3; ++a) {
    const double lo = -0.5 - kTol, hi = grid_hi_[a] + kTol;
    if (std::abs(d[a]) < 1e-12) {  // the row runs across this axis (plane-normal noise aside)
      if (r[a] < lo || r[a] > hi) return {1, 0};
      continue;
    }
    double u0 = (lo - r[a]) / d[a], u1 = (hi - r[a]) / d[a];
    if (u0 > u1) std::swap(u0, u1);
    w.lo = std::max(w.lo, u0);
    w.hi = std::min(w.hi, u1);
  }
  if (w.lo > w.hi) return {1, 0};
  return {w.lo - 2 * step_mm_, w.hi + 2 * step_mm_};
}

SlabSampler::SlabSampler(const ContourStack& stack, const DoseVolume& dose, double step_mm)
    : stack_(stack), sampler_(dose), geometry_(dose.geometry), step_mm_(step_mm) {
  for (int a = 0; a < 3; ++a) grid_hi_[a] = double(dose.geometry.size()[std::size_t(a)]) - 0.5;
  du_ = geometry_.index_delta(stack.u_axis);
  // Plane normals from contour coordinates carry ~1e-17 of noise: compare with a tolerance.
  const double d[3] = {std::abs(du_.i), std::abs(du_.j), std::abs(du_.k)};
  for (int a = 0; a < 3; ++a)
    if (d[a] > 1e-12 && d[(a + 1) % 3] < 1e-12 && d[(a + 2) % 3] < 1e-12) line_axis_ = a;
  for (std::size_t p = 0; p < stack.planes.size(); ++p) {
    rows_.emplace_back(stack.planes[p]);
    const int sub_slabs = sub_slab_count(stack.planes[p]);
    for (int m = 0; m < sub_slabs; ++m) tasks_.push_back({p, m});
  }
}

}  // namespace sbrtkit::detail
