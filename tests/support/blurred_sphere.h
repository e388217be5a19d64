#pragma once
// Closed form of a uniform sphere imaged with an isotropic Gaussian PSF, the independent truth for the
// PET lesion metrics:
//   I(r) = (erf((R - r) / (s sqrt2)) + erf((R + r) / (s sqrt2))) / 2
//          - s / (r sqrt(2 pi)) (exp(-(R - r)^2 / 2s^2) - exp(-(R + r)^2 / 2s^2)),
//   I(0) = erf(R / (s sqrt2)) - 2R / (s sqrt(2 pi)) exp(-R^2 / 2s^2)   (the chi-3 distribution function),
// SUV(r) = B + (L - B) I(r). A cut at B + p (SUVmax - B) is the sphere of radius r_p with I(r_p) = p I(0);
// its volume and mean SUV follow from one-dimensional integrals.
#include <cmath>
#include <numbers>

namespace sbrtkit::testing_support {

struct BlurredSphere {
  double radius_mm, sigma_mm, lesion_suv, background_suv;

  /// sigma of a Gaussian PSF of the given FWHM after two voxel boxes (rendering and the phantom's
  /// voxel-integrated kernel): s^2 = (FWHM / 2.3548)^2 + 2 h^2 / 12.
  static double phantom_sigma(double fwhm_mm, double voxel_mm) {
    const double g = fwhm_mm / (2 * std::sqrt(2 * std::log(2.0)));
    return std::sqrt(g * g + 2 * voxel_mm * voxel_mm / 12);
  }

  double profile(double r) const {
    const double s = sigma_mm, s2 = s * std::numbers::sqrt2, R = radius_mm;
    const double c = s / std::sqrt(2 * std::numbers::pi);
    if (r < 1e-9) return std::erf(R / s2) - 2 * R / s / std::sqrt(2 * std::numbers::pi) * std::exp(-R * R / (2 * s * s));
    return 0.5 * (std::erf((R - r) / s2) + std::erf((R + r) / s2)) -
           c / r * (std::exp(-(R - r) * (R - r) / (2 * s * s)) - std::exp(-(R + r) * (R + r) / (2 * s * s)));
  }
  double suv(double r) const { return background_suv + (lesion_suv - background_suv) * profile(r); }
  double suv_max() const { return suv(0); }
  /// Radius where the profile falls to `fraction` of its centre value (it decreases monotonically).
  double radius_at(double fraction) const {
    double lo = 0, hi = radius_mm + 10 * sigma_mm;
    for (int n = 0; n < 200; ++n) {
      const double mid = 0.5 * (lo + hi);
      (profile(mid) > fraction * profile(0) ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
  }
  /// Mean SUV inside radius r (Simpson, 4000 intervals).
  double mean_within(double r) const {
    const int n = 4000;
    double s = 0;
    for (int q = 0; q <= n; ++q) {
      const double x = r * q / n, w = (q == 0 || q == n) ? 1 : (q % 2 ? 4 : 2);
      s += w * suv(x) * x * x;
    }
    return s * (r / n) / 3 * 3 / (r * r * r);
  }
  static double sphere_cc(double r_mm) { return 4.0 / 3.0 * std::numbers::pi * r_mm * r_mm * r_mm / 1000.0; }
};

}  // namespace sbrtkit::testing_support
