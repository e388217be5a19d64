// Geometric primitives of the synthetic patient: rigid transforms, star-shaped bodies, planar loops,
// the target dose profile and the PET decay arithmetic.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>

#include "sbrtkit/phantom/phantom.h"

namespace sbrtkit::phantom {

std::optional<PhantomSize> parse_size(std::string_view text) {
  if (text == "small") return PhantomSize::small;
  if (text == "clinical") return PhantomSize::clinical;
  if (text == "large") return PhantomSize::large;
  return std::nullopt;
}

std::string_view to_string(PhantomSize size) {
  switch (size) {
    case PhantomSize::small: return "small";
    case PhantomSize::clinical: return "clinical";
    case PhantomSize::large: return "large";
  }
  return "clinical";
}

// ---- RigidTransform ---------------------------------------------------------------------------

PatientPoint RigidTransform::apply(PatientPoint p) const {
  const double a = rotation_z_deg * std::numbers::pi / 180.0;
  const double c = std::cos(a), s = std::sin(a);
  return {c * p.x - s * p.y + translation_mm.x, s * p.x + c * p.y + translation_mm.y, p.z + translation_mm.z};
}

PatientPoint RigidTransform::apply_inverse(PatientPoint q) const {
  const double a = rotation_z_deg * std::numbers::pi / 180.0;
  const double c = std::cos(a), s = std::sin(a);
  const double x = q.x - translation_mm.x, y = q.y - translation_mm.y;
  return {c * x + s * y, -s * x + c * y, q.z - translation_mm.z};
}

std::array<double, 16> RigidTransform::matrix() const {
  const double a = rotation_z_deg * std::numbers::pi / 180.0;
  const double c = std::cos(a), s = std::sin(a);
  return {c, -s, 0, translation_mm.x, s, c, 0, translation_mm.y, 0, 0, 1, translation_mm.z, 0, 0, 0, 1};
}

// ---- StarBody ---------------------------------------------------------------------------------

PatientPoint StarBody::centre_at(double z) const {
  const double dz = z - centre.z;
  return {centre.x + tilt_x * dz, centre.y + tilt_y * dz, z};
}

double StarBody::mean_radius_at(double z) const {
  const double u = (z - centre.z) / half_length_mm;
  return u * u >= 1 ? 0.0 : radius_mm * std::sqrt(1 - u * u);
}

double StarBody::shape_factor(double theta) const {
  double f = 1;
  for (const auto& h : harmonics) f += h.amplitude * std::cos(h.order * theta + h.phase_rad);
  return f;
}

namespace {
double harmonic_energy(const std::vector<Harmonic>& harmonics) {
  double e = 0;
  for (const auto& h : harmonics) e += 0.5 * h.amplitude * h.amplitude;
  return e;
}
}  // namespace

double StarBody::rho(PatientPoint p) const {
  const PatientPoint c = centre_at(p.z);
  const double dx = p.x - c.x, dy = p.y - c.y;
  const double r = std::sqrt(dx * dx + dy * dy);
  const double u = (p.z - centre.z) / half_length_mm;
  const double in_plane = r > 0 ? r / (radius_mm * shape_factor(std::atan2(dy, dx))) : 0.0;
  return std::sqrt(in_plane * in_plane + u * u);
}

double StarBody::smooth_area_mm2(double z) const {
  const double r0 = mean_radius_at(z);
  return std::numbers::pi * r0 * r0 * (1 + harmonic_energy(harmonics));
}

double StarBody::smooth_volume_mm3() const {
  return 4.0 / 3.0 * std::numbers::pi * radius_mm * radius_mm * half_length_mm * (1 + harmonic_energy(harmonics));
}

StarBody StarBody::expanded(double margin_mm) const {
  StarBody out = *this;
  out.radius_mm = radius_mm + margin_mm;
  out.half_length_mm = half_length_mm + margin_mm;
  for (auto& h : out.harmonics) h.amplitude *= radius_mm / out.radius_mm;
  return out;
}

// ---- Target dose profile ----------------------------------------------------------------------

double Target::rho50() const { return std::cbrt(r50); }

double Target::gradient_index() const { return std::pow(rho50() / rho100, 3); }

void Target::solve_profile() {
  // Outside: (1 - s) exp(-k d) + s exp(-d R / L) = 0.5 at d = rho50 - rho100.
  const double d = rho50() - rho100;
  assert(d > 0);
  const double spill = spill_fraction * std::exp(-d * ptv.radius_mm / spill_length_mm);
  falloff_k = -std::log((0.5 - spill) / (1 - spill_fraction)) / d;
  // Inside: the slope of hot - (hot - 1) u^p at u = 1 is -p (hot - 1) / rho100; match the outside's.
  const double slope = (1 - spill_fraction) * falloff_k + spill_fraction * ptv.radius_mm / spill_length_mm;
  shoulder_power = slope * rho100 / (hot_spot - 1);
}

double Target::relative_dose(double rho) const {
  if (rho <= rho100) return hot_spot - (hot_spot - 1) * std::pow(rho / rho100, shoulder_power);
  const double d = rho - rho100;
  return (1 - spill_fraction) * std::exp(-falloff_k * d) +
         spill_fraction * std::exp(-d * ptv.radius_mm / spill_length_mm);
}

// ---- Loop -------------------------------------------------------------------------------------

bool Loop::contains(double x, double y) const {
  const double dx = x - cx, dy = y - cy;
  if (kind == Kind::ellipse) {
    if (angle_rad == 0) {
      const double u = dx / a, v = dy / b;
      return u * u + v * v <= 1;
    }
    const double c = std::cos(angle_rad), s = std::sin(angle_rad);
    const double u = (c * dx + s * dy) / a, v = (-s * dx + c * dy) / b;
    return u * u + v * v <= 1;
  }
  const double r2 = dx * dx + dy * dy;
  if (r2 == 0) return r0 > 0;
  double f = 1;
  const double theta = std::atan2(dy, dx);
  for (const auto& h : *harmonics) f += h.amplitude * std::cos(h.order * theta + h.phase_rad);
  const double rb = r0 * f;
  return r2 <= rb * rb;
}

double Loop::smooth_area_mm2() const {
  if (kind == Kind::ellipse) return std::numbers::pi * a * b;
  return std::numbers::pi * r0 * r0 * (1 + harmonic_energy(*harmonics));
}

double Loop::bounding_radius() const {
  if (kind == Kind::ellipse) return std::max(a, b);
  double s = 1;
  for (const auto& h : *harmonics) s += std::abs(h.amplitude);
  return r0 * s;
}

std::vector<std::array<double, 2>> Loop::polygon(int vertices) const {
  std::vector<std::array<double, 2>> out(static_cast<std::size_t>(vertices));
  const double c = std::cos(angle_rad), s = std::sin(angle_rad);
  for (int i = 0; i < vertices; ++i) {
    const double t = 2 * std::numbers::pi * i / vertices;
    if (kind == Kind::ellipse) {
      const double u = a * std::cos(t), v = b * std::sin(t);
      out[static_cast<std::size_t>(i)] = {cx + c * u - s * v, cy + s * u + c * v};
    } else {
      double f = 1;
      for (const auto& h : *harmonics) f += h.amplitude * std::cos(h.order * t + h.phase_rad);
      out[static_cast<std::size_t>(i)] = {cx + r0 * f * std::cos(t), cy + r0 * f * std::sin(t)};
    }
  }
  return out;
}

double polygon_area_mm2(const std::vector<std::array<double, 2>>& polygon) {
  double twice = 0;
  const std::size_t n = polygon.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto& p = polygon[i];
    const auto& q = polygon[(i + 1) % n];
    twice += p[0] * q[1] - q[0] * p[1];
  }
  return std::abs(0.5 * twice);
}

// ---- PET --------------------------------------------------------------------------------------

double Lesion::volume_cc() const {
  return 4.0 / 3.0 * std::numbers::pi * semi_axes_mm.x * semi_axes_mm.y * semi_axes_mm.z / 1000.0;
}

bool Lesion::contains(PatientPoint p) const {
  const double u = (p.x - centre.x) / semi_axes_mm.x, v = (p.y - centre.y) / semi_axes_mm.y,
               w = (p.z - centre.z) / semi_axes_mm.z;
  return u * u + v * v + w * w <= 1;
}

double Radiopharmaceutical::decayed_dose_bq() const {
  return injected_dose_bq * std::exp2(-uptake_time_s / half_life_s);
}

double Radiopharmaceutical::bq_per_ml(double suv) const {
  return suv * decayed_dose_bq() / (patient_weight_kg * 1000.0);
}

}  // namespace sbrtkit::phantom
