#include "sbrtkit/slice_render.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <limits>

#include "trilinear_sampler.h"

namespace sbrtkit {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::uint8_t to_byte(double x) { return std::uint8_t(std::lround(std::clamp(x, 0.0, 255.0))); }

void blend(std::uint8_t* px, Rgb c, double alpha) {
  px[0] = to_byte(px[0] + (c.r - px[0]) * alpha);
  px[1] = to_byte(px[1] + (c.g - px[1]) * alpha);
  px[2] = to_byte(px[2] + (c.b - px[2]) * alpha);
}

void set(std::uint8_t* px, Rgb c) {
  px[0] = c.r;
  px[1] = c.g;
  px[2] = c.b;
  px[3] = 255;
}

/// Pixels whose centre lies within radius_px of (col, row) are marked in `mask`.
void stamp_disc(std::vector<std::uint8_t>& mask, int width, int height, PixelPoint p, double radius_px) {
  const int c0 = std::max(0, int(std::floor(p.col - radius_px))), c1 = std::min(width - 1, int(std::ceil(p.col + radius_px)));
  const int r0 = std::max(0, int(std::floor(p.row - radius_px))), r1 = std::min(height - 1, int(std::ceil(p.row + radius_px)));
  const double r2 = radius_px * radius_px;
  for (int r = r0; r <= r1; ++r)
    for (int c = c0; c <= c1; ++c) {
      const double dc = c - p.col, dr = r - p.row;
      if (dc * dc + dr * dr <= r2) mask[std::size_t(r) * std::size_t(width) + std::size_t(c)] = 1;
    }
}

/// Marks every pixel within radius_px of the segments (sampled every quarter pixel along each one).
std::vector<std::uint8_t> stroke(const std::vector<PixelSegment>& segments, int width, int height, double radius_px) {
  std::vector<std::uint8_t> mask(std::size_t(width) * std::size_t(height), 0);
  for (const auto& s : segments) {
    const double length = std::hypot(s.b.col - s.a.col, s.b.row - s.a.row);
    const int steps = std::max(1, int(std::ceil(length / 0.25)));
    for (int k = 0; k <= steps; ++k) {
      const double f = double(k) / steps;
      stamp_disc(mask, width, height, {s.a.col + f * (s.b.col - s.a.col), s.a.row + f * (s.b.row - s.a.row)}, radius_px);
    }
  }
  return mask;
}

}  // namespace

const char* to_string(SliceView view) {
  switch (view) {
    case SliceView::axial: return "axial";
    case SliceView::coronal: return "coronal";
    case SliceView::sagittal: return "sagittal";
  }
  return "?";
}

SlicePlane make_slice_plane(SliceView view, PatientPoint centre, double width_mm, double height_mm, double pixel_mm) {
  assert(pixel_mm > 0);
  SlicePlane plane;
  plane.view = view;
  plane.pixel_mm = pixel_mm;
  switch (view) {
    case SliceView::axial:  // from the feet: +x (L) right, +y (P) down
      plane.right = {1, 0, 0};
      plane.down = {0, 1, 0};
      break;
    case SliceView::coronal:  // from the front: +x (L) right, -z (I) down
      plane.right = {1, 0, 0};
      plane.down = {0, 0, -1};
      break;
    case SliceView::sagittal:  // from the patient's left: +y (P) right, -z (I) down
      plane.right = {0, 1, 0};
      plane.down = {0, 0, -1};
      break;
  }
  plane.width = std::max(1, int(std::lround(width_mm / pixel_mm)));
  plane.height = std::max(1, int(std::lround(height_mm / pixel_mm)));
  plane.top_left = centre - (0.5 * (plane.width - 1) * pixel_mm) * plane.right -
                   (0.5 * (plane.height - 1) * pixel_mm) * plane.down;
  return plane;
}

std::string direction_label(Vec3 d) {
  const double ax = std::abs(d.x), ay = std::abs(d.y), az = std::abs(d.z);
  if (ax >= ay && ax >= az) return d.x > 0 ? "L" : "R";
  if (ay >= az) return d.y > 0 ? "P" : "A";
  return d.z > 0 ? "S" : "I";
}

std::vector<float> sample_on_plane(const Volume<float>& volume, const SlicePlane& plane) {
  std::vector<float> out(std::size_t(plane.width) * std::size_t(plane.height), kNaN);
  if (volume.voxels.empty()) return out;
  const detail::TrilinearSampler sampler(volume);
  const ImageGeometry& g = volume.geometry;
  const IndexPoint step_col = g.index_delta(plane.pixel_mm * plane.right);
  for (int r = 0; r < plane.height; ++r) {
    const IndexPoint start = g.to_index(plane.to_patient({0, double(r)}));
    for (int c = 0; c < plane.width; ++c) {
      double value = 0;
      if (sampler.sample(start.i + c * step_col.i, start.j + c * step_col.j, start.k + c * step_col.k, value))
        out[std::size_t(r) * std::size_t(plane.width) + std::size_t(c)] = float(value);
    }
  }
  return out;
}

std::vector<std::uint8_t> structure_mask(const ContourStack& stack, const SlicePlane& plane) {
  std::vector<std::uint8_t> mask(std::size_t(plane.width) * std::size_t(plane.height), 0);
  // Along a pixel row, patient position is linear in col, hence so are the stack's (u, v, w): the
  // inside of each contour plane's loops along the row is a set of exact intervals of col (even-odd
  // crossings of the row's trace in the (u, v) plane), kept where w lies in that plane's slab.
  const Vec3 step = plane.pixel_mm * plane.right;
  const double du = dot(step, stack.u_axis), dv = dot(step, stack.v_axis), dw = dot(step, stack.normal);
  const double trace2 = du * du + dv * dv;
  std::vector<double> crossings;
  for (int r = 0; r < plane.height; ++r) {
    const Vec3 start = plane.to_patient({0, double(r)}) - stack.origin;
    const double u0 = dot(start, stack.u_axis), v0 = dot(start, stack.v_axis), w0 = dot(start, stack.normal);
    std::uint8_t* row = &mask[std::size_t(r) * std::size_t(plane.width)];
    for (const ContourPlane& cp : stack.planes) {
      // Columns whose w lies in [slab_low, slab_high).
      double c_lo = 0, c_hi = plane.width - 1;
      if (std::abs(dw) < 1e-12) {
        if (w0 < cp.slab_low_mm || w0 >= cp.slab_high_mm) continue;
      } else {
        const double ta = (cp.slab_low_mm - w0) / dw, tb = (cp.slab_high_mm - w0) / dw;
        c_lo = std::max(c_lo, std::min(ta, tb) - 1);
        c_hi = std::min(c_hi, std::max(ta, tb) + 1);
        if (c_lo > c_hi) continue;
      }
      auto in_slab = [&](int c) {
        const double w = w0 + c * dw;
        return w >= cp.slab_low_mm && w < cp.slab_high_mm;
      };
      if (trace2 < 1e-24) {  // the row's trace is a single (u, v) point
        if (!cp.contains(u0, v0)) continue;
        for (int c = std::max(0, int(std::ceil(c_lo))); c <= int(std::floor(c_hi)); ++c)
          if (in_slab(c)) row[c] = 1;
        continue;
      }
      crossings.clear();
      for (const auto& loop : cp.loops)
        for (std::size_t a = 0, b = loop.size() - 1; a < loop.size(); b = a++) {
          const PlanarPoint& p = loop[a];
          const PlanarPoint& q = loop[b];
          // Side of each vertex relative to the trace line; an edge crosses when the sides differ.
          const double sp = du * (p.v - v0) - dv * (p.u - u0);
          const double sq = du * (q.v - v0) - dv * (q.u - u0);
          if ((sp > 0) == (sq > 0)) continue;
          const double f = sp / (sp - sq);
          const double xu = p.u + f * (q.u - p.u) - u0, xv = p.v + f * (q.v - p.v) - v0;
          crossings.push_back((xu * du + xv * dv) / trace2);
        }
      std::sort(crossings.begin(), crossings.end());
      for (std::size_t k = 0; k + 1 < crossings.size(); k += 2) {
        const double begin = std::max(crossings[k], c_lo), end = std::min(crossings[k + 1], c_hi + 1);
        for (int c = std::max(0, int(std::ceil(begin))); c < plane.width && c < end; ++c)
          if (in_slab(c)) row[c] = 1;
      }
    }
  }
  return mask;
}

std::vector<PixelSegment> isolines(const std::vector<float>& values, int width, int height, double level) {
  assert(values.size() == std::size_t(width) * std::size_t(height));
  std::vector<PixelSegment> out;
  auto at = [&](int c, int r) { return double(values[std::size_t(r) * std::size_t(width) + std::size_t(c)]); };
  for (int r = 0; r + 1 < height; ++r)
    for (int c = 0; c + 1 < width; ++c) {
      const double v00 = at(c, r), v10 = at(c + 1, r), v11 = at(c + 1, r + 1), v01 = at(c, r + 1);
      if (std::isnan(v00) || std::isnan(v10) || std::isnan(v11) || std::isnan(v01)) continue;
      const int index = (v00 >= level ? 1 : 0) | (v10 >= level ? 2 : 0) | (v11 >= level ? 4 : 0) | (v01 >= level ? 8 : 0);
      if (index == 0 || index == 15) continue;
      auto cross = [&](double a, double b) { return (level - a) / (b - a); };  // a and b on opposite sides
      // Edge crossing points: 0 top (00-10), 1 right (10-11), 2 bottom (01-11), 3 left (00-01).
      auto edge = [&](int e) -> PixelPoint {
        switch (e) {
          case 0: return {c + cross(v00, v10), double(r)};
          case 1: return {double(c + 1), r + cross(v10, v11)};
          case 2: return {c + cross(v01, v11), double(r + 1)};
          default: return {double(c), r + cross(v00, v01)};
        }
      };
      auto add = [&](int e1, int e2) { out.push_back({edge(e1), edge(e2)}); };
      const bool centre_high = 0.25 * (v00 + v10 + v11 + v01) >= level;
      switch (index) {
        case 1: case 14: add(3, 0); break;
        case 2: case 13: add(0, 1); break;
        case 3: case 12: add(3, 1); break;
        case 4: case 11: add(1, 2); break;
        case 6: case 9: add(0, 2); break;
        case 7: case 8: add(2, 3); break;
        case 5:  // 00 and 11 high
          if (centre_high) { add(0, 1); add(2, 3); } else { add(3, 0); add(1, 2); }
          break;
        case 10:  // 10 and 01 high
          if (centre_high) { add(3, 0); add(1, 2); } else { add(0, 1); add(2, 3); }
          break;
        default: break;
      }
    }
  return out;
}

Rgb dose_colour(double fraction) {
  static constexpr std::array<Rgb, 5> kStops = {Rgb{0, 0, 255}, Rgb{0, 255, 255}, Rgb{0, 255, 0}, Rgb{255, 255, 0},
                                                Rgb{255, 0, 0}};
  const double x = std::clamp(std::isnan(fraction) ? 0.0 : fraction, 0.0, 1.0) * double(kStops.size() - 1);
  const std::size_t k = std::min<std::size_t>(std::size_t(x), kStops.size() - 2);
  const double f = x - double(k);
  const Rgb a = kStops[k], b = kStops[k + 1];
  return {to_byte(a.r + (b.r - a.r) * f), to_byte(a.g + (b.g - a.g) * f), to_byte(a.b + (b.b - a.b) * f)};
}

RgbaImage render_slice(const SlicePlane& plane, const SliceLayers& layers) {
  const int w = plane.width, h = plane.height;
  RgbaImage image(w, h);
  const std::size_t n = std::size_t(w) * std::size_t(h);

  std::vector<float> ct = layers.ct ? sample_on_plane(*layers.ct, plane) : std::vector<float>(n, kNaN);
  const double low = layers.window_level_hu - 0.5 * layers.window_width_hu;
  for (std::size_t p = 0; p < n; ++p) {
    const double grey = std::isnan(ct[p]) ? 0.0 : 255.0 * (ct[p] - low) / layers.window_width_hu;
    const std::uint8_t g = to_byte(grey);
    std::uint8_t* px = &image.rgba[p * 4];
    px[0] = px[1] = px[2] = g;
    px[3] = 255;
  }

  std::vector<float> dose;
  if (layers.dose) {
    dose = sample_on_plane(*layers.dose, plane);
    const double range = layers.wash_max_gy - layers.wash_min_gy;
    if (range > 0 && layers.wash_opacity > 0)
      for (std::size_t p = 0; p < n; ++p)
        if (!std::isnan(dose[p]) && dose[p] >= layers.wash_min_gy)
          blend(&image.rgba[p * 4], dose_colour((dose[p] - layers.wash_min_gy) / range), layers.wash_opacity);
  }

  for (const auto& s : layers.structures) {
    if (!s.stack) continue;
    const auto mask = structure_mask(*s.stack, plane);
    std::vector<std::uint8_t> edge(n, 0);
    for (int r = 0; r < h; ++r)
      for (int c = 0; c < w; ++c) {
        const std::size_t p = std::size_t(r) * std::size_t(w) + std::size_t(c);
        if (!mask[p]) continue;
        const bool boundary = (c > 0 && !mask[p - 1]) || (c + 1 < w && !mask[p + 1]) ||
                              (r > 0 && !mask[p - std::size_t(w)]) || (r + 1 < h && !mask[p + std::size_t(w)]);
        if (boundary) edge[p] = 1;
      }
    const int grow = std::max(0, layers.outline_width_px - 1);
    for (int r = 0; r < h; ++r)
      for (int c = 0; c < w; ++c) {
        if (!edge[std::size_t(r) * std::size_t(w) + std::size_t(c)]) continue;
        for (int rr = std::max(0, r - grow); rr <= std::min(h - 1, r + grow); ++rr)
          for (int cc = std::max(0, c - grow); cc <= std::min(w - 1, c + grow); ++cc)
            if (mask[std::size_t(rr) * std::size_t(w) + std::size_t(cc)]) set(image.pixel(cc, rr), s.colour);
      }
  }

  if (layers.dose)
    for (const auto& line : layers.isodoses) {
      const auto segments = isolines(dose, w, h, line.dose_gy);
      const double radius = 0.5 * layers.isodose_width_px;
      const auto halo = stroke(segments, w, h, radius + 1.0);
      const auto core = stroke(segments, w, h, radius);
      for (std::size_t p = 0; p < n; ++p) {
        if (core[p]) set(&image.rgba[p * 4], line.colour);
        else if (halo[p]) blend(&image.rgba[p * 4], Rgb{0, 0, 0}, 0.6);
      }
    }

  if (layers.scale_bar_mm > 0) {
    const int length = int(std::lround(layers.scale_bar_mm / plane.pixel_mm));
    const int c0 = 8, r0 = h - 12;
    if (length > 0 && c0 + length + 1 < w && r0 > 1)
      for (int r = r0 - 1; r <= r0 + 3; ++r)
        for (int c = c0 - 1; c <= c0 + length; ++c) {
          const bool core = r >= r0 && r <= r0 + 2 && c >= c0 && c < c0 + length;
          if (core) set(image.pixel(c, r), Rgb{255, 255, 255});
          else blend(image.pixel(c, r), Rgb{0, 0, 0}, 0.7);
        }
  }
  return image;
}

}  // namespace sbrtkit
