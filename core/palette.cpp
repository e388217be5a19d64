#include "sbrtkit/palette.h"

#include <algorithm>
#include <cmath>

namespace sbrtkit {

Rgb qualitative_colour(std::size_t k) { return kQualitativePalette[k % kQualitativePalette.size()]; }

Rgb lesion_colour(int id) { return qualitative_colour(static_cast<std::size_t>(std::max(id, 1) - 1)); }

namespace {

/// sRGB transfer curve inverted: stored 0..255 -> linear light 0..1.
double linear_light(std::uint8_t v) {
  const double c = v / 255.0;
  return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

/// CIE's f(t) of the L*a*b* definition, with its linear segment below (6/29)^3.
double lab_f(double t) {
  constexpr double d = 6.0 / 29.0;
  return t > d * d * d ? std::cbrt(t) : t / (3 * d * d) + 4.0 / 29.0;
}

std::uint16_t scaled(double value, double low, double high) {
  const double s = std::round((value - low) / (high - low) * 65535.0);
  return static_cast<std::uint16_t>(std::clamp(s, 0.0, 65535.0));
}

}  // namespace

CieLab srgb_to_cielab(Rgb colour) {
  const double r = linear_light(colour.r), g = linear_light(colour.g), b = linear_light(colour.b);
  // The ICC sRGB profile's colorant matrix (sRGB primaries Bradford-adapted from D65 to D50).
  const double x = 0.4360747 * r + 0.3850649 * g + 0.1430804 * b;
  const double y = 0.2225045 * r + 0.7168786 * g + 0.0606169 * b;
  const double z = 0.0139322 * r + 0.0971045 * g + 0.7141733 * b;
  // D50 white of the same matrix (its columns' sums), so that sRGB white is exactly L* 100, a* = b* = 0.
  constexpr double xn = 0.4360747 + 0.3850649 + 0.1430804, yn = 0.2225045 + 0.7168786 + 0.0606169,
                   zn = 0.0139322 + 0.0971045 + 0.7141733;
  const double fx = lab_f(x / xn), fy = lab_f(y / yn), fz = lab_f(z / zn);
  return {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}

std::array<std::uint16_t, 3> dicom_cielab(CieLab lab) {
  return {scaled(lab.l, 0, 100), scaled(lab.a, -128, 127), scaled(lab.b, -128, 127)};
}

}  // namespace sbrtkit
