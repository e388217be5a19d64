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

  /// Interpolation along a line on which only index axis `axis` varies, as rows parallel to a grid
  /// axis are: the other two coordinates are blended once per grid column (four loads), then each sample
  /// costs one 1-D interpolation. Same values as sample() up to rounding (the blend order differs).
  class Line {
   public:
    /// b and c are the continuous indices on the axes after `axis`, cyclically (axis 0: j, k).
    Line(const TrilinearSampler& grid, int axis, double b, double c) : grid_(grid) {
      const std::int64_t n[3] = {grid.nx_, grid.ny_, grid.nz_};
      const std::int64_t stride[3] = {1, grid.nx_, grid.nx_ * grid.ny_};
      const int ab = (axis + 1) % 3, ac = (axis + 2) % 3;
      n_ = n[axis];
      stride_ = stride[axis];
      inside_ = b >= -0.5 && c >= -0.5 && b <= double(n[ab]) - 0.5 && c <= double(n[ac]) - 0.5;
      std::int64_t b0, b1, c0, c1;
      split(b, n[ab], b0, b1, fb_);
      split(c, n[ac], c0, c1, fc_);
      o00_ = b0 * stride[ab] + c0 * stride[ac];
      o10_ = b1 * stride[ab] + c0 * stride[ac];
      o01_ = b0 * stride[ab] + c1 * stride[ac];
      o11_ = b1 * stride[ab] + c1 * stride[ac];
    }
    /// False outside the grid's cells; otherwise the interpolated dose at index a along the axis.
    bool sample(double a, double& dose) {
      if (!inside_ || !(a >= -0.5 && a <= double(n_) - 0.5)) return false;
      std::int64_t a0, a1;
      double fa;
      split(a, n_, a0, a1, fa);
      if (a0 != cached_) {
        cached_ = a0;
        low_ = column(a0);
        high_ = column(a1);
      }
      dose = lerp(low_, high_, fa);
      return true;
    }

   private:
    double column(std::int64_t a) const {
      const float* p = grid_.data_ + a * stride_;
      return lerp(lerp(p[o00_], p[o10_], fb_), lerp(p[o01_], p[o11_], fb_), fc_);
    }
    const TrilinearSampler& grid_;
    std::int64_t n_ = 0, stride_ = 1, o00_ = 0, o10_ = 0, o01_ = 0, o11_ = 0, cached_ = -1;
    double fb_ = 0, fc_ = 0, low_ = 0, high_ = 0;
    bool inside_ = false;
  };

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
