#pragma once
// Trilinear interpolation of a dose grid at continuous indices; the inner loop of the DVH kernel.
// A DICOM grid covers the voxel cells, i.e. index in [-0.5, n-0.5]; in the outer half-voxel the value
// is extended from the last centre (clamped), which is what the voxel itself stands for.

#include <algorithm>
#include <cstdint>

#include "sbrtkit/volume.h"

namespace sbrtkit::detail {

class TrilinearSampler {
 public:
  explicit TrilinearSampler(const DoseVolume& dose)
      : data_(dose.voxels.data()),
        nx_(dose.geometry.size()[0]),
        ny_(dose.geometry.size()[1]),
        nz_(dose.geometry.size()[2]) {}

  /// False when (i, j, k) lies outside the grid's cells; otherwise the interpolated dose.
  bool sample(double i, double j, double k, double& dose) const {
    if (!(i >= -0.5 && j >= -0.5 && k >= -0.5 && i <= double(nx_) - 0.5 && j <= double(ny_) - 0.5 &&
          k <= double(nz_) - 0.5))
      return false;
    std::int64_t i0, i1, j0, j1, k0, k1;
    double fi, fj, fk;
    split(i, nx_, i0, i1, fi);
    split(j, ny_, j0, j1, fj);
    split(k, nz_, k0, k1, fk);
    const std::int64_t sy = nx_, sz = nx_ * ny_;
    const float* p = data_;
    const double c00 = lerp(p[i0 + j0 * sy + k0 * sz], p[i1 + j0 * sy + k0 * sz], fi);
    const double c10 = lerp(p[i0 + j1 * sy + k0 * sz], p[i1 + j1 * sy + k0 * sz], fi);
    const double c01 = lerp(p[i0 + j0 * sy + k1 * sz], p[i1 + j0 * sy + k1 * sz], fi);
    const double c11 = lerp(p[i0 + j1 * sy + k1 * sz], p[i1 + j1 * sy + k1 * sz], fi);
    dose = lerp(lerp(c00, c10, fj), lerp(c01, c11, fj), fk);
    return true;
  }

 private:
  static double lerp(double a, double b, double f) { return a + (b - a) * f; }
  static void split(double x, std::int64_t n, std::int64_t& lo, std::int64_t& hi, double& f) {
    const double clamped = std::clamp(x, 0.0, double(n - 1));
    lo = std::min<std::int64_t>(std::int64_t(clamped), std::max<std::int64_t>(n - 2, 0));
    hi = std::min<std::int64_t>(lo + 1, n - 1);
    f = clamped - double(lo);
  }

  const float* data_;
  std::int64_t nx_, ny_, nz_;
};

}  // namespace sbrtkit::detail
