// SUVpeak: mean SUV of a 1 cc sphere, centred on each candidate voxel. The sphere is a fixed table of
// voxel offsets with partial-volume weights, so each candidate costs one weighted sum over ~(2r/s)^3
// taps; candidates are only the lesion's voxels, which keeps a whole-body search far below a second.
#include <cmath>
#include <numbers>

#include "sbrtkit/lesion.h"

namespace sbrtkit {

PeakKernel make_peak_kernel(const ImageGeometry& grid, double volume_cc) {
  PeakKernel k;
  k.radius_mm = std::cbrt(3.0 * volume_cc * 1000.0 / (4.0 * std::numbers::pi));
  const Vec3 s = grid.spacing_mm();
  const std::int64_t ri = static_cast<std::int64_t>(std::ceil(k.radius_mm / s.x + 0.5));
  const std::int64_t rj = static_cast<std::int64_t>(std::ceil(k.radius_mm / s.y + 0.5));
  const std::int64_t rk = static_cast<std::int64_t>(std::ceil(k.radius_mm / s.z + 0.5));
  constexpr int kSub = 10;
  const double r2 = k.radius_mm * k.radius_mm;
  for (std::int64_t c = -rk; c <= rk; ++c)
    for (std::int64_t b = -rj; b <= rj; ++b)
      for (std::int64_t a = -ri; a <= ri; ++a) {
        int inside = 0;
        for (int z = 0; z < kSub; ++z)
          for (int y = 0; y < kSub; ++y)
            for (int x = 0; x < kSub; ++x) {
              const double dx = (double(a) + (x + 0.5) / kSub - 0.5) * s.x;
              const double dy = (double(b) + (y + 0.5) / kSub - 0.5) * s.y;
              const double dz = (double(c) + (z + 0.5) / kSub - 0.5) * s.z;
              inside += dx * dx + dy * dy + dz * dz <= r2;
            }
        if (!inside) continue;
        k.di.push_back(a);
        k.dj.push_back(b);
        k.dk.push_back(c);
        k.weight.push_back(static_cast<float>(double(inside) / (kSub * kSub * kSub)));
      }
  return k;
}

SuvPeak suv_peak(const Volume<float>& suv, const std::vector<std::int64_t>& centres, const PeakKernel& kernel) {
  SuvPeak best;
  if (centres.empty()) return best;
  const auto& g = suv.geometry;
  const std::int64_t nx = g.size()[0], ny = g.size()[1], nz = g.size()[2];
  const std::size_t taps = kernel.weight.size();
  std::int64_t ext_i = 0, ext_j = 0, ext_k = 0;
  std::vector<std::int64_t> offset(taps);
  double weight_sum = 0;
  for (std::size_t t = 0; t < taps; ++t) {
    offset[t] = kernel.di[t] + nx * (kernel.dj[t] + ny * kernel.dk[t]);
    ext_i = std::max(ext_i, std::abs(kernel.di[t]));
    ext_j = std::max(ext_j, std::abs(kernel.dj[t]));
    ext_k = std::max(ext_k, std::abs(kernel.dk[t]));
    weight_sum += kernel.weight[t];
  }
  std::vector<double> mean(centres.size());
  const std::int64_t count = static_cast<std::int64_t>(centres.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t c = 0; c < count; ++c) {
    const std::int64_t n = centres[c];
    const auto [i, j, k] = g.index_of(n);
    double s = 0;
    if (i >= ext_i && j >= ext_j && k >= ext_k && i + ext_i < nx && j + ext_j < ny && k + ext_k < nz) {
      for (std::size_t t = 0; t < taps; ++t) s += double(kernel.weight[t]) * suv.voxels[n + offset[t]];
      mean[c] = s / weight_sum;
    } else {
      double w = 0;
      for (std::size_t t = 0; t < taps; ++t) {
        const std::int64_t a = i + kernel.di[t], b = j + kernel.dj[t], d = k + kernel.dk[t];
        if (a < 0 || b < 0 || d < 0 || a >= nx || b >= ny || d >= nz) continue;
        s += double(kernel.weight[t]) * suv.voxels[a + nx * (b + ny * d)];
        w += kernel.weight[t];
      }
      mean[c] = w > 0 ? s / w : 0;
    }
  }
  std::size_t arg = 0;
  for (std::size_t c = 1; c < centres.size(); ++c)
    if (mean[c] > mean[arg] || (mean[c] == mean[arg] && centres[c] < centres[arg])) arg = c;
  const std::int64_t n = centres[arg];
  best.suv = mean[arg];
  best.centre = g.index_of(n);
  return best;
}

}  // namespace sbrtkit
