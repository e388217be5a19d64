// Scanner resolution for the synthetic PET: a separable Gaussian applied on the voxel grid.
// Each 1-D tap is the Gaussian integrated over one voxel (so the kernel sums to one by construction and
// stays accurate when sigma is about half a voxel, where point-sampled taps lose a tenth of the variance).
// One OpenMP iteration per image line: each output line is written by one thread, so the result does not
// depend on the thread count.
#include <cmath>
#include <vector>

#include "sbrtkit/phantom/phantom.h"

namespace sbrtkit::phantom {
namespace {

std::vector<double> voxel_integrated_gaussian(double sigma_vox) {
  const int reach = static_cast<int>(std::ceil(4 * sigma_vox)) + 1;
  const auto cdf = [&](double x) { return 0.5 * std::erfc(-x / (sigma_vox * std::sqrt(2.0))); };
  std::vector<double> taps(2 * reach + 1);
  double sum = 0;
  for (int n = -reach; n <= reach; ++n) sum += taps[n + reach] = cdf(n + 0.5) - cdf(n - 0.5);
  for (auto& t : taps) t /= sum;  // the 4-sigma tails (< 1e-4) go back into the kernel
  return taps;
}

// Convolves along one axis; taps falling outside the image are dropped (the phantom's border is air).
void blur_axis(Volume<float>& image, int axis, const std::vector<double>& taps) {
  const auto& size = image.geometry.size();
  const std::int64_t stride[3] = {1, size[0], size[0] * size[1]};
  const std::int64_t length = size[axis];
  const std::int64_t lines = image.geometry.voxel_count() / length;
  const int reach = static_cast<int>(taps.size() / 2);
  const int a = (axis + 1) % 3, b = (axis + 2) % 3;
#pragma omp parallel
  {
    std::vector<double> line(static_cast<std::size_t>(length));
#pragma omp for schedule(static)
    for (std::int64_t l = 0; l < lines; ++l) {
      const std::int64_t start = (l % size[a]) * stride[a] + (l / size[a]) * stride[b];
      for (std::int64_t i = 0; i < length; ++i) line[i] = image.voxels[start + i * stride[axis]];
      for (std::int64_t i = 0; i < length; ++i) {
        double v = 0;
        for (int t = -reach; t <= reach; ++t)
          if (i + t >= 0 && i + t < length) v += taps[t + reach] * line[i + t];
        image.voxels[start + i * stride[axis]] = static_cast<float>(v);
      }
    }
  }
}

}  // namespace

void apply_psf(Volume<float>& image, double fwhm_mm) {
  if (!(fwhm_mm > 0)) return;
  const double sigma_mm = fwhm_mm / (2 * std::sqrt(2 * std::log(2.0)));
  const Vec3 sp = image.geometry.spacing_mm();
  const double spacing[3] = {sp.x, sp.y, sp.z};
  for (int axis = 0; axis < 3; ++axis)
    if (image.geometry.size()[axis] > 1) blur_axis(image, axis, voxel_integrated_gaussian(sigma_mm / spacing[axis]));
}

}  // namespace sbrtkit::phantom
