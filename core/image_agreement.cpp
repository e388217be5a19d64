// Correlation of two images under a rigid map. See include/sbrtkit/image_agreement.h.
#include "sbrtkit/image_agreement.h"

#include <algorithm>
#include <cmath>

namespace sbrtkit {
namespace {

/// Trilinear value at a continuous index of v, nullopt-like false outside the centres' hull.
bool trilinear(const Volume<float>& v, IndexPoint p, double& out) {
  const auto& n = v.geometry.size();
  const double c[3] = {p.i, p.j, p.k};
  std::int64_t lo[3];
  double f[3];
  for (int a = 0; a < 3; ++a) {
    if (!(c[a] >= 0 && c[a] <= double(n[a] - 1))) return false;
    lo[a] = std::min<std::int64_t>(std::int64_t(std::floor(c[a])), std::max<std::int64_t>(n[a] - 2, 0));
    f[a] = c[a] - double(lo[a]);
  }
  double s = 0;
  for (int dk = 0; dk < 2; ++dk)
    for (int dj = 0; dj < 2; ++dj)
      for (int di = 0; di < 2; ++di) {
        const double w = (di ? f[0] : 1 - f[0]) * (dj ? f[1] : 1 - f[1]) * (dk ? f[2] : 1 - f[2]);
        if (w == 0) continue;
        const std::int64_t i = std::min(lo[0] + di, n[0] - 1), j = std::min(lo[1] + dj, n[1] - 1),
                           k = std::min(lo[2] + dk, n[2] - 1);
        s += w * v.at(i, j, k);
      }
  out = s;
  return true;
}

}  // namespace

ImageAgreement image_agreement(const Volume<float>& fixed, const Volume<float>& moving, const RigidMap& moving_to_fixed,
                               int stride, double lo, double hi) {
  ImageAgreement out;
  const RigidMap to_moving = moving_to_fixed.inverse();
  const auto& n = fixed.geometry.size();
  stride = std::max(stride, 1);
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  std::int64_t sampled = 0, inside = 0;
  // Serial, in lattice order: the sums are the same on every run.
  for (std::int64_t k = 0; k < n[2]; k += stride)
    for (std::int64_t j = 0; j < n[1]; j += stride)
      for (std::int64_t i = 0; i < n[0]; i += stride) {
        ++sampled;
        const PatientPoint p = to_moving.apply(fixed.geometry.to_patient(VoxelIndex{i, j, k}));
        double m = 0;
        if (!trilinear(moving, moving.geometry.to_index(p), m)) continue;
        ++inside;
        const double x = std::clamp(double(fixed.at(i, j, k)), lo, hi), y = std::clamp(m, lo, hi);
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
      }
  out.samples = inside;
  out.overlap_fraction = sampled ? double(inside) / double(sampled) : 0;
  if (inside > 1) {
    const double N = double(inside);
    const double vx = sxx - sx * sx / N, vy = syy - sy * sy / N, cxy = sxy - sx * sy / N;
    out.correlation = vx > 0 && vy > 0 ? cxy / std::sqrt(vx * vy) : 0;
  }
  return out;
}

}  // namespace sbrtkit
