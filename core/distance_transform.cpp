#include "distance_transform.h"

#include <limits>

namespace sbrtkit {
namespace {

constexpr double kFar = 1e30;

// d[q] = min over p of ((q - p) h)^2 + f[p], for one line.
void lower_envelope(const std::vector<double>& f, std::int64_t n, double h, std::vector<double>& d,
                    std::vector<std::int64_t>& v, std::vector<double>& z) {
  const auto x = [h](std::int64_t q) { return double(q) * h; };
  const auto meet = [&](std::int64_t q, std::int64_t p) {  // where the parabolas from p and q cross
    return ((f[q] + x(q) * x(q)) - (f[p] + x(p) * x(p))) / (2 * (x(q) - x(p)));
  };
  std::int64_t k = 0;
  v[0] = 0;
  z[0] = -std::numeric_limits<double>::infinity();
  z[1] = std::numeric_limits<double>::infinity();
  for (std::int64_t q = 1; q < n; ++q) {
    double s = meet(q, v[k]);
    while (k > 0 && s <= z[k]) s = meet(q, v[--k]);
    v[++k] = q;
    z[k] = s;
    z[k + 1] = std::numeric_limits<double>::infinity();
  }
  k = 0;
  for (std::int64_t q = 0; q < n; ++q) {
    while (z[k + 1] < x(q)) ++k;
    const double dx = x(q) - x(v[k]);
    d[q] = dx * dx + f[v[k]];
  }
}

}  // namespace

std::vector<double> squared_distance_map(const std::vector<std::uint8_t>& inside, std::array<std::int64_t, 3> size,
                                         std::array<double, 3> spacing_mm) {
  std::vector<double> map(inside.size());
  for (std::size_t n = 0; n < inside.size(); ++n) map[n] = inside[n] ? 0.0 : kFar;
  const std::int64_t stride[3] = {1, size[0], size[0] * size[1]};
  const std::int64_t total = size[0] * size[1] * size[2];
  for (int axis = 0; axis < 3; ++axis) {
    const std::int64_t n = size[axis];
    if (n <= 1) continue;
    const int a = (axis + 1) % 3;
    const int b = (axis + 2) % 3;
    std::vector<double> f(n), d(n), z(n + 1);
    std::vector<std::int64_t> v(n);
    for (std::int64_t line = 0; line < total / n; ++line) {
      const std::int64_t start = (line % size[a]) * stride[a] + (line / size[a]) * stride[b];
      for (std::int64_t q = 0; q < n; ++q) f[q] = map[start + q * stride[axis]];
      lower_envelope(f, n, spacing_mm[axis], d, v, z);
      for (std::int64_t q = 0; q < n; ++q) map[start + q * stride[axis]] = d[q];
    }
  }
  return map;
}

}  // namespace sbrtkit
