#include "plane_distance.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sbrtkit::detail {

PlaneDistance::PlaneDistance(const ContourPlane& plane) {
  double u1 = -std::numeric_limits<double>::infinity(), v1 = u1;
  u0_ = v0_ = std::numeric_limits<double>::infinity();
  for (const auto& loop : plane.loops) {
    const std::size_t n = loop.size();
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
      const PlanarPoint& a = loop[j];
      const PlanarPoint& b = loop[i];
      const double eu = b.u - a.u, ev = b.v - a.v, len_sq = eu * eu + ev * ev;
      edges_.push_back({a.u, a.v, eu, ev, len_sq > 0 ? 1.0 / len_sq : 0.0});
      u0_ = std::min(u0_, a.u);
      v0_ = std::min(v0_, a.v);
      u1 = std::max(u1, a.u);
      v1 = std::max(v1, a.v);
    }
  }
  if (edges_.empty()) return;
  // Buckets about four mean edge lengths wide: a query near the contour meets a handful of edges.
  // At most 2^16 buckets per plane (a body contour), so memory stays a few bytes per bucket.
  const double span_u = std::max(u1 - u0_, 1e-6), span_v = std::max(v1 - v0_, 1e-6);
  double perimeter = 0;
  for (const auto& e : edges_) perimeter += std::hypot(e.eu, e.ev);
  cell_mm_ = std::max({4 * perimeter / double(edges_.size()), std::sqrt(span_u * span_v / 65536.0), 1e-3});
  nu_ = std::max(1, int(std::ceil(span_u / cell_mm_)));
  nv_ = std::max(1, int(std::ceil(span_v / cell_mm_)));
  auto cell_u = [&](double u) { return std::clamp(int(std::floor((u - u0_) / cell_mm_)), 0, nu_ - 1); };
  auto cell_v = [&](double v) { return std::clamp(int(std::floor((v - v0_) / cell_mm_)), 0, nv_ - 1); };
  // Two passes: count per bucket, then fill (a bucket gets every edge whose bounding box touches it).
  cell_start_.assign(std::size_t(nu_) * std::size_t(nv_) + 1, 0);
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<int> fill;
    if (pass == 1) {
      for (std::size_t c = 1; c < cell_start_.size(); ++c) cell_start_[c] += cell_start_[c - 1];
      cell_edges_.resize(std::size_t(cell_start_.back()));
      fill.assign(cell_start_.begin(), cell_start_.end() - 1);
    }
    for (std::size_t e = 0; e < edges_.size(); ++e) {
      const Edge& g = edges_[e];
      const int a0 = cell_u(std::min(g.au, g.au + g.eu)), a1 = cell_u(std::max(g.au, g.au + g.eu));
      const int b0 = cell_v(std::min(g.av, g.av + g.ev)), b1 = cell_v(std::max(g.av, g.av + g.ev));
      for (int b = b0; b <= b1; ++b)
        for (int a = a0; a <= a1; ++a) {
          const std::size_t c = std::size_t(b) * std::size_t(nu_) + std::size_t(a);
          if (pass == 0)
            ++cell_start_[c + 1];
          else
            cell_edges_[std::size_t(fill[c]++)] = int(e);
        }
    }
  }
}

double PlaneDistance::edge_distance_sq(const Edge& e, double u, double v) const {
  const double t = std::clamp(((u - e.au) * e.eu + (v - e.av) * e.ev) * e.inv_len_sq, 0.0, 1.0);
  const double du = u - (e.au + t * e.eu), dv = v - (e.av + t * e.ev);
  return du * du + dv * dv;
}

double PlaneDistance::distance_mm(double u, double v) const {
  if (edges_.empty()) return kFar;
  // Rings of buckets around the bucket of q, the point clamped into the grid (projecting onto the grid
  // box only brings the grid's points nearer, so distances from q bound those from (u, v) below).
  // After ring r every unvisited bucket lies beyond the block of rings 0..r, whose border is at least
  // `reach` from q: once the best distance is within reach, no farther bucket can improve it.
  const double qu = std::clamp(u, u0_, u0_ + nu_ * cell_mm_), qv = std::clamp(v, v0_, v0_ + nv_ * cell_mm_);
  const int cu = std::clamp(int(std::floor((u - u0_) / cell_mm_)), 0, nu_ - 1);
  const int cv = std::clamp(int(std::floor((v - v0_) / cell_mm_)), 0, nv_ - 1);
  const int max_ring = std::max({cu, nu_ - 1 - cu, cv, nv_ - 1 - cv});
  constexpr double kNoBorder = std::numeric_limits<double>::infinity();
  double best_sq = std::numeric_limits<double>::infinity();
  for (int r = 0; r <= max_ring; ++r) {
    for (int b = cv - r; b <= cv + r; ++b) {
      if (b < 0 || b >= nv_) continue;
      const bool edge_row = b == cv - r || b == cv + r;
      for (int a = cu - r; a <= cu + r; a += edge_row ? 1 : 2 * r) {
        if (a >= 0 && a < nu_) {
          const std::size_t c = std::size_t(b) * std::size_t(nu_) + std::size_t(a);
          for (int k = cell_start_[c]; k < cell_start_[c + 1]; ++k)
            best_sq = std::min(best_sq, edge_distance_sq(edges_[std::size_t(cell_edges_[std::size_t(k)])], u, v));
        }
        if (r == 0) break;
      }
    }
    // A side of the block at the grid's edge has no buckets beyond it.
    const double reach = std::min({cu - r > 0 ? qu - (u0_ + (cu - r) * cell_mm_) : kNoBorder,
                                   cu + r < nu_ - 1 ? u0_ + (cu + r + 1) * cell_mm_ - qu : kNoBorder,
                                   cv - r > 0 ? qv - (v0_ + (cv - r) * cell_mm_) : kNoBorder,
                                   cv + r < nv_ - 1 ? v0_ + (cv + r + 1) * cell_mm_ - qv : kNoBorder});
    if (best_sq <= reach * reach) break;
  }
  return std::sqrt(best_sq);
}

}  // namespace sbrtkit::detail
