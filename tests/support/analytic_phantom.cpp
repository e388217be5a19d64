#include "analytic_phantom.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <numbers>
#include <utility>

namespace sbrtkit::testing {
namespace {

constexpr double kPi = std::numbers::pi;

/// Area of the part of a disc of radius r (centred at 0) with x >= a.
double disc_segment_area(double r, double a) {
  if (r <= 0) return 0;
  if (a <= -r) return kPi * r * r;
  if (a >= r) return 0;
  return r * r * std::acos(a / r) - a * std::sqrt(r * r - a * a);
}

// 8-point Gauss-Legendre nodes and weights on [-1, 1].
constexpr std::array<double, 8> kNodes = {-0.9602898564975363, -0.7966664774136267, -0.5255324099163290,
                                          -0.1834346424956498, 0.1834346424956498,  0.5255324099163290,
                                          0.7966664774136267,  0.9602898564975363};
constexpr std::array<double, 8> kWeights = {0.1012285362903763, 0.2223810344533745, 0.3137066458778873,
                                            0.3626837833783620, 0.3626837833783620, 0.3137066458778873,
                                            0.2223810344533745, 0.1012285362903763};

}  // namespace

std::string to_string(Shape s) {
  switch (s) {
    case Shape::sphere: return "sphere";
    case Shape::cylinder: return "cylinder";
    case Shape::cone: return "cone";
    case Shape::cylinder_across: return "cylinder-across";
  }
  return "?";
}

std::string to_string(Gradient g) {
  switch (g) {
    case Gradient::along_x: return "x-gradient";
    case Gradient::along_y: return "y-gradient";
    case Gradient::along_z: return "z-gradient";
    case Gradient::radial: return "radial";
  }
  return "?";
}

double Solid::radius_at(double z) const {
  if (z < z_low() || z > z_high()) return 0;
  switch (shape) {
    case Shape::sphere: return std::sqrt(std::max(0.0, radius_mm * radius_mm - z * z));
    case Shape::cylinder: return radius_mm;
    case Shape::cone: return radius_mm * (z_high() - z) / height_mm;
    case Shape::cylinder_across: return std::sqrt(std::max(0.0, radius_mm * radius_mm - z * z));
  }
  return 0;
}

double Solid::area_at(double z) const {
  const double r = radius_at(z);
  return shape == Shape::cylinder_across ? 2 * r * height_mm : kPi * r * r;
}

double Solid::area_at_least_x(double z, double a) const {
  const double r = radius_at(z);
  if (shape != Shape::cylinder_across) return disc_segment_area(r, a);
  return 2 * r * std::clamp(0.5 * height_mm - a, 0.0, height_mm);
}

double Solid::x_extent_at(double z) const {
  if (shape != Shape::cylinder_across) return radius_at(z);
  return radius_at(z) > 0 ? 0.5 * height_mm : 0.0;
}

double DoseModel::operator()(PatientPoint p) const {
  const Vec3 d = p - centre;
  switch (gradient) {
    case Gradient::along_x: return centre_dose_gy + gy_per_mm * d.x;
    case Gradient::along_y: return centre_dose_gy + gy_per_mm * d.y;
    case Gradient::along_z: return centre_dose_gy + gy_per_mm * d.z;
    case Gradient::radial: return centre_dose_gy - gy_per_mm * norm(d);
  }
  return 0;
}

namespace {

/// The contour of the solid's cross-section at height z (relative to the centre), if it has an area:
/// a rectangle for cylinder_across, else the regular polygon whose area equals the circle's.
void add_section(Structure& s, const Solid& solid, double z, int vertices) {
  const double radius = solid.radius_at(z);
  if (radius <= 0) return;
  Contour c;
  if (solid.shape == Shape::cylinder_across) {
    const double half_x = 0.5 * solid.height_mm;
    for (auto [sx, sy] : {std::pair{-1, -1}, {1, -1}, {1, 1}, {-1, 1}})
      c.points.push_back({solid.centre.x + sx * half_x, solid.centre.y + sy * radius, solid.centre.z + z});
  } else {
    const double n = vertices;
    const double r = radius * std::sqrt(2 * kPi / (n * std::sin(2 * kPi / n)));
    for (int v = 0; v < vertices; ++v) {
      const double theta = 0.1 + 2 * kPi * v / n;
      c.points.push_back({solid.centre.x + r * std::cos(theta), solid.centre.y + r * std::sin(theta),
                          solid.centre.z + z});
    }
  }
  s.contours.push_back(std::move(c));
}

Structure empty_structure(int roi_number, const std::string& name) {
  Structure s;
  s.roi_number = roi_number;
  s.name = name;
  s.interpreted_type = "PTV";
  return s;
}

}  // namespace

Structure contour_solid(const Solid& solid, double plane_spacing_mm, int roi_number, const std::string& name,
                        int vertices) {
  const double planes = solid.extent() / plane_spacing_mm;
  const int count = int(std::lround(planes));
  assert(std::abs(planes - count) < 1e-9 && "the solid's extent must be a whole number of plane spacings");
  Structure s = empty_structure(roi_number, name);
  for (int k = 0; k < count; ++k) add_section(s, solid, solid.z_low() + (k + 0.5) * plane_spacing_mm, vertices);
  return s;
}

Structure contour_solid_offset(const Solid& solid, double plane_spacing_mm, double phase, int roi_number,
                               const std::string& name, int vertices) {
  assert(phase >= 0 && phase < 1);
  Structure s = empty_structure(roi_number, name);
  for (int k = 0;; ++k) {
    const double z = solid.z_low() + (phase + k) * plane_spacing_mm;
    if (z > solid.z_high()) break;
    add_section(s, solid, z, vertices);
  }
  return s;
}

DoseVolume make_dose_grid(const Solid& solid, const DoseModel& model, double spacing_mm, double shift_voxels,
                          double margin_mm, std::array<Vec3, 3> axes) {
  const double half_length = solid.shape == Shape::cylinder_across ? 0.5 * solid.height_mm : 0.0;
  const double half_extent = std::max({solid.radius_mm, 0.5 * solid.extent(), half_length}) + margin_mm;
  const auto m = std::int64_t(std::ceil(half_extent / spacing_mm));
  PatientPoint origin = solid.centre;
  for (const auto& a : axes) origin = origin + ((double(-m) + shift_voxels) * spacing_mm) * a;
  ImageGeometry g({2 * m + 1, 2 * m + 1, 2 * m + 1}, origin, {spacing_mm, spacing_mm, spacing_mm}, axes);
  DoseVolume dose(g);
  for (std::int64_t k = 0; k < g.size()[2]; ++k)
    for (std::int64_t j = 0; j < g.size()[1]; ++j)
      for (std::int64_t i = 0; i < g.size()[0]; ++i)
        dose.at(i, j, k) = float(model(g.to_patient(VoxelIndex{i, j, k})));
  return dose;
}

AnalyticDvh::AnalyticDvh(const Solid& solid, const DoseModel& model) : solid_(solid), model_(model) {
  const double g = model.gy_per_mm, c = model.centre_dose_gy;
  const double volume_mm3 = integrate_z([&](double z) { return solid.area_at(z); });
  volume_cc_ = volume_mm3 / 1000;
  double max_radius = 0, max_distance = 0;
  for (int s = 0; s <= 20000; ++s) {
    const double z = solid.z_low() + solid.extent() * s / 20000.0;
    max_radius = std::max(max_radius, solid.x_extent_at(z));
    max_distance = std::max(max_distance, std::hypot(solid.radius_at(z), z));
  }
  // cylinder_across is not symmetric about z: only its x and z gradients have closed forms here.
  assert(solid.shape != Shape::cylinder_across ||
         model.gradient == Gradient::along_x || model.gradient == Gradient::along_z);
  switch (model.gradient) {
    case Gradient::along_x:
    case Gradient::along_y:
      min_gy_ = c - g * max_radius;
      max_gy_ = c + g * max_radius;
      mean_gy_ = c;
      break;
    case Gradient::along_z: {
      min_gy_ = c + g * solid.z_low();
      max_gy_ = c + g * solid.z_high();
      const double moment = integrate_z([&](double z) { return z * solid.area_at(z); });
      mean_gy_ = c + g * moment / volume_mm3;
      break;
    }
    case Gradient::radial: {
      max_gy_ = c;
      min_gy_ = c - g * max_distance;
      const double integral = integrate_z([&](double z) {
        const double r = solid.radius_at(z);
        return kPi * r * r * c - 2 * kPi * g / 3 * (std::pow(r * r + z * z, 1.5) - std::pow(std::abs(z), 3));
      });
      mean_gy_ = integral / volume_mm3;
      break;
    }
  }
}

double AnalyticDvh::integrate_z(const std::function<double(double)>& f) const {
  return integrate_z(f, solid_.z_low(), solid_.z_high());
}

double AnalyticDvh::integrate_z(const std::function<double(double)>& f, double a, double b) const {
  constexpr int kPanels = 4000;
  if (b <= a) return 0;
  const double h = (b - a) / kPanels;
  double sum = 0;
  for (int p = 0; p < kPanels; ++p) {
    const double mid = a + (p + 0.5) * h;
    for (std::size_t q = 0; q < kNodes.size(); ++q) sum += kWeights[q] * f(mid + 0.5 * h * kNodes[q]);
  }
  return 0.5 * h * sum;
}

double AnalyticDvh::volume_at_least_cc(double d) const {
  const double g = model_.gy_per_mm, c = model_.centre_dose_gy;
  double mm3 = 0;
  switch (model_.gradient) {
    case Gradient::along_x:
    case Gradient::along_y: {
      const double a = (d - c) / g;
      mm3 = integrate_z([&](double z) { return solid_.area_at_least_x(z, a); });
      break;
    }
    case Gradient::along_z: {
      const double z_d = (d - c) / g;
      mm3 = integrate_z([&](double z) { return solid_.area_at(z); }, std::max(z_d, solid_.z_low()),
                        solid_.z_high());
      break;
    }
    case Gradient::radial: {
      const double rho = (c - d) / g;
      if (rho <= 0) return 0;
      // Split where the ball's section overtakes the solid's, so each panel integrates a smooth piece.
      const double a = std::max(-rho, solid_.z_low()), b = std::min(rho, solid_.z_high());
      auto section = [&](double z) {
        const double r = std::min(solid_.radius_at(z), std::sqrt(std::max(0.0, rho * rho - z * z)));
        return kPi * r * r;
      };
      mm3 = integrate_z(section, a, b);
      break;
    }
  }
  return mm3 / 1000;
}

double AnalyticDvh::dose_at_volume_cc(double volume_cc) const {
  double lo = min_gy_, hi = max_gy_;
  for (int it = 0; it < 60 && hi - lo > 1e-9; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (volume_at_least_cc(mid) >= volume_cc)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace sbrtkit::testing
