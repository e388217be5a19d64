#include "sbrtkit/occupancy_contours.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <unordered_map>

namespace sbrtkit {
namespace {

/// Cell edges of the padded grid (pixel centres -1 .. width, -1 .. height), numbered so that the two
/// cells sharing an edge name it alike: horizontal edge (x, y)-(x+1, y) and vertical edge (x, y)-(x, y+1).
struct EdgeGrid {
  int w, h;  // padded size: width + 2, height + 2
  std::int64_t horizontal(int x, int y) const { return 2 * (std::int64_t(y + 1) * w + (x + 1)); }
  std::int64_t vertical(int x, int y) const { return 2 * (std::int64_t(y + 1) * w + (x + 1)) + 1; }
};

}  // namespace

std::vector<std::vector<PixelPoint>> closed_isolines(const std::vector<float>& values, int width, int height,
                                                     double level) {
  const auto value = [&](int x, int y) -> double {
    if (x < 0 || y < 0 || x >= width || y >= height) return -std::numeric_limits<double>::infinity();
    const double v = values[std::size_t(y) * std::size_t(width) + std::size_t(x)];
    return std::isnan(v) ? -std::numeric_limits<double>::infinity() : v;
  };
  const EdgeGrid edges{width + 2, height + 2};
  std::unordered_map<std::int64_t, PixelPoint> crossing;                 // edge -> point on it
  std::unordered_map<std::int64_t, std::vector<std::int64_t>> neighbours;  // edge -> edges joined to it
  // The crossing on the edge from (xa, ya) to (xb, yb), one corner inside and one outside; computed in
  // the edge's own direction whichever cell asks, so both cells get the same point.
  const auto cross = [&](std::int64_t id, int xa, int ya, int xb, int yb) {
    if (crossing.count(id)) return;
    const double va = value(xa, ya), vb = value(xb, yb);
    double t = 0.5;  // next to the padding or a NaN: half-way
    if (std::isfinite(va) && std::isfinite(vb)) t = (level - va) / (vb - va);  // va != vb: one is in
    t = std::clamp(t, 0.0, 1.0);
    crossing[id] = {xa + t * (xb - xa), ya + t * (yb - ya)};
  };
  const auto join = [&](std::int64_t a, std::int64_t b) {
    neighbours[a].push_back(b);
    neighbours[b].push_back(a);
  };
  for (int y = -1; y < height; ++y)
    for (int x = -1; x < width; ++x) {
      // Corners c0 (x, y), c1 (x+1, y), c2 (x+1, y+1), c3 (x, y+1); edges top, right, bottom, left.
      const double v[4] = {value(x, y), value(x + 1, y), value(x + 1, y + 1), value(x, y + 1)};
      bool in[4];
      int count = 0;
      for (int c = 0; c < 4; ++c) count += (in[c] = v[c] >= level);
      if (count == 0 || count == 4) continue;
      const std::int64_t top = edges.horizontal(x, y), right = edges.vertical(x + 1, y),
                         bottom = edges.horizontal(x, y + 1), left = edges.vertical(x, y);
      if (in[0] != in[1]) cross(top, x, y, x + 1, y);
      if (in[1] != in[2]) cross(right, x + 1, y, x + 1, y + 1);
      if (in[3] != in[2]) cross(bottom, x, y + 1, x + 1, y + 1);
      if (in[0] != in[3]) cross(left, x, y, x, y + 1);
      // The edges that cut off corner c: c0 top+left, c1 top+right, c2 right+bottom, c3 left+bottom.
      const std::int64_t cut[4][2] = {{top, left}, {top, right}, {right, bottom}, {left, bottom}};
      if (count == 1 || count == 3) {
        const bool lone = count == 1;  // the corner whose class is alone
        for (int c = 0; c < 4; ++c)
          if (in[c] == lone) join(cut[c][0], cut[c][1]);
      } else if (in[0] == in[2]) {
        // Saddle: the corners of the class opposite to the centre's are cut off one by one.
        double centre = 0;
        int finite = 0;
        for (double c : v)
          if (std::isfinite(c)) centre += c, ++finite;
        const bool centre_in = finite == 4 && centre / 4 >= level;
        for (int c = 0; c < 4; ++c)
          if (in[c] != centre_in) join(cut[c][0], cut[c][1]);
      } else if (in[0] == in[1]) {
        join(left, right);  // the top pair against the bottom pair
      } else {
        join(top, bottom);  // the left pair against the right pair
      }
    }
  // Every crossed edge touches exactly two segments (one per adjacent cell): walk each loop once.
  std::vector<std::int64_t> order;
  order.reserve(crossing.size());
  for (const auto& [id, p] : crossing) order.push_back(id);
  std::sort(order.begin(), order.end());  // deterministic loop order and starting points
  std::unordered_map<std::int64_t, bool> used;
  std::vector<std::vector<PixelPoint>> loops;
  for (std::int64_t start : order) {
    if (used[start]) continue;
    std::vector<PixelPoint> loop;
    std::int64_t previous = -1, at = start;
    while (!used[at]) {
      used[at] = true;
      loop.push_back(crossing[at]);
      const auto& n = neighbours[at];
      const std::int64_t next = n.size() == 2 ? (n[0] != previous ? n[0] : n[1]) : n.front();
      previous = at;
      at = next;
    }
    if (loop.size() >= 3) loops.push_back(std::move(loop));
  }
  return loops;
}

OccupancyContours occupancy_contours(const ImageGeometry& grid, const LesionVoxels& voxels,
                                     const RigidMap& grid_to_target, const ImageGeometry& target,
                                     std::optional<double> asked_level, std::optional<double> volume_mm3) {
  OccupancyContours out;
  if (voxels.index.empty()) return out;
  // A dense copy of the occupancy over its bounding box plus one voxel of zeros, for trilinear reads.
  std::array<std::int64_t, 3> lo{grid.size()[0], grid.size()[1], grid.size()[2]}, hi{-1, -1, -1};
  for (std::int64_t n : voxels.index) {
    const VoxelIndex v = grid.index_of(n);
    const std::int64_t c[3] = {v.i, v.j, v.k};
    for (int a = 0; a < 3; ++a) lo[a] = std::min(lo[a], c[a] - 1), hi[a] = std::max(hi[a], c[a] + 1);
  }
  const std::int64_t bx = hi[0] - lo[0] + 1, by = hi[1] - lo[1] + 1, bz = hi[2] - lo[2] + 1;
  std::vector<float> box(std::size_t(bx * by * bz), 0.0f);
  for (std::size_t q = 0; q < voxels.index.size(); ++q) {
    const VoxelIndex v = grid.index_of(voxels.index[q]);
    box[std::size_t((v.i - lo[0]) + bx * ((v.j - lo[1]) + by * (v.k - lo[2])))] = voxels.weight[q];
  }
  const auto occupancy = [&](PatientPoint target_point, const RigidMap& to_grid) -> float {
    const IndexPoint p = grid.to_index(to_grid.apply(target_point));
    const double x = p.i - double(lo[0]), y = p.j - double(lo[1]), z = p.k - double(lo[2]);
    if (!(x >= 0 && y >= 0 && z >= 0 && x <= double(bx - 1) && y <= double(by - 1) && z <= double(bz - 1))) return 0.0f;
    const std::int64_t x0 = std::min<std::int64_t>(std::int64_t(x), bx - 2), y0 = std::min<std::int64_t>(std::int64_t(y), by - 2),
                       z0 = std::min<std::int64_t>(std::int64_t(z), bz - 2);
    const double fx = x - double(x0), fy = y - double(y0), fz = z - double(z0);
    double s = 0;
    for (int dz = 0; dz < 2; ++dz)
      for (int dy = 0; dy < 2; ++dy)
        for (int dx = 0; dx < 2; ++dx)
          s += (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy) * (dz ? fz : 1 - fz) *
               box[std::size_t((x0 + dx) + bx * ((y0 + dy) + by * (z0 + dz)))];
    return float(s);
  };
  const RigidMap to_grid = grid_to_target.inverse();
  // The box's corners in target index space bound the pixels to sample.
  double tlo[3] = {1e300, 1e300, 1e300}, thi[3] = {-1e300, -1e300, -1e300};
  for (int corner = 0; corner < 8; ++corner) {
    const IndexPoint c{double(corner & 1 ? hi[0] : lo[0]), double(corner & 2 ? hi[1] : lo[1]),
                       double(corner & 4 ? hi[2] : lo[2])};
    const IndexPoint t = target.to_index(grid_to_target.apply(grid.to_patient(c)));
    const double tv[3] = {t.i, t.j, t.k};
    for (int a = 0; a < 3; ++a) tlo[a] = std::min(tlo[a], tv[a]), thi[a] = std::max(thi[a], tv[a]);
  }
  const auto clamp_index = [&](double v, int a, bool up) {
    const double r = up ? std::ceil(v) : std::floor(v);
    return std::clamp<std::int64_t>(std::int64_t(r), 0, target.size()[a] - 1);
  };
  const std::int64_t i0 = clamp_index(tlo[0], 0, false), i1 = clamp_index(thi[0], 0, true);
  const std::int64_t j0 = clamp_index(tlo[1], 1, false), j1 = clamp_index(thi[1], 1, true);
  const std::int64_t k0 = clamp_index(tlo[2], 2, false), k1 = clamp_index(thi[2], 2, true);
  // In-plane sampling finer than the CT's pixels (sub-steps of at most kInPlaneStepMm): on a coarse CT
  // (4 mm pixels) the polygons through a lesion's few pixels cut its corners and lose a fifth of a
  // 0.5 cc lesion; slices stay the CT's, where a planning system wants them.
  constexpr double kInPlaneStepMm = 0.5;
  const int sub_i = std::max(1, int(std::ceil(target.spacing_mm().x / kInPlaneStepMm)));
  const int sub_j = std::max(1, int(std::ceil(target.spacing_mm().y / kInPlaneStepMm)));
  const int w = int(i1 - i0) * sub_i + 1, h = int(j1 - j0) * sub_j + 1;
  const std::size_t per_slice = std::size_t(w) * std::size_t(h);
  std::vector<float> samples(per_slice * std::size_t(k1 - k0 + 1));
  for (std::int64_t k = k0; k <= k1; ++k)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        samples[std::size_t(k - k0) * per_slice + std::size_t(y) * std::size_t(w) + std::size_t(x)] =
            occupancy(target.to_patient(IndexPoint{double(i0) + double(x) / sub_i, double(j0) + double(y) / sub_j,
                                                   double(k)}),
                      to_grid);
  double level = asked_level.value_or(0.5);
  if (!asked_level) {
    double weight_sum = 0;
    for (float wgt : voxels.weight) weight_sum += wgt;
    const double volume = volume_mm3.value_or(weight_sum * grid.voxel_volume_mm3());
    const auto n = std::size_t(std::llround(volume / target.voxel_volume_mm3() * sub_i * sub_j));
    std::vector<float> sorted = samples;
    if (n >= 1 && n <= sorted.size()) {
      std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(n - 1), sorted.end(), std::greater<float>());
      level = std::clamp(double(sorted[n - 1]), 0.1, 0.9);
    }
  }
  out.level = level;
  for (std::int64_t k = k0; k <= k1; ++k) {
    const std::vector<float> slice(samples.begin() + std::ptrdiff_t(std::size_t(k - k0) * per_slice),
                                   samples.begin() + std::ptrdiff_t(std::size_t(k - k0 + 1) * per_slice));
    if (std::none_of(slice.begin(), slice.end(), [&](float o) { return o >= level; })) continue;
    for (const auto& loop : closed_isolines(slice, w, h, level)) {
      Contour c;
      c.type = ContourType::closed_planar;
      for (const PixelPoint& p : loop)
        c.points.push_back(target.to_patient(IndexPoint{double(i0) + p.col / sub_i, double(j0) + p.row / sub_j, double(k)}));
      out.contours.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace sbrtkit
