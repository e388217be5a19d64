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
  // About one edge per bucket: buckets as large as the mean edge spacing over the bounding box.
  const double span_u = std::max(u1 - u0_, 1e-6), span_v = std::max(v1 - v0_, 1e-6);
  cell_mm_ = std::max(std::sqrt(span_u * span_v / double(edges_.size())), 0.5 * std::max(span_u, span_v) / 256);
  nu_ = std::max(1, int(std::ceil(span_u / cell_mm_)));
  nv_ = std::max(1, int(std::ceil(span_v / cell_mm_)));
  cells_.assign(std::size_t(nu_) * std::size_t(nv_), {});
  auto cell_u = [&](double u) { return std::clamp(int(std::floor((u - u0_) / cell_mm_)), 0, nu_ - 1); };
  auto cell_v = [&](double v) { return std::clamp(int(std::floor((v - v0_) / cell_mm_)), 0, nv_ - 1); };
  for (std::size_t e = 0; e < edges_.size(); ++e) {
    const Edge& g = edges_[e];
    const int a0 = cell_u(std::min(g.au, g.au + g.eu)), a1 = cell_u(std::max(g.au, g.au + g.eu));
    const int b0 = cell_v(std::min(g.av, g.av + g.ev)), b1 = cell_v(std::max(g.av, g.av + g.ev));
    for (int b = b0; b <= b1; ++b)
      for (int a = a0; a <= a1; ++a) cells_[std::size_t(b) * std::size_t(nu_) + std::size_t(a)].push_back(int(e));
  }
}

double PlaneDistance::edge_distance_sq(const Edge& e, double u, double v) const {
  const double t = std::clamp(((u - e.au) * e.eu + (v - e.av) * e.ev) * e.inv_len_sq, 0.0, 1.0);
  const double du = u - (e.au + t * e.eu), dv = v - (e.av + t * e.ev);
  return du * du + dv * dv;
}

double PlaneDistance::distance_mm(double u, double v) const {
  if (edges_.empty()) return kFar;
  // Rings of buckets around the (clamped) point's bucket. Buckets of ring r+1 are at least r buckets
  // away from the clamped point, and projecting onto the grid's box only brings points nearer, so once
  // the best distance is within r * cell no farther ring can improve it.
  const int cu = std::clamp(int(std::floor((u - u0_) / cell_mm_)), 0, nu_ - 1);
  const int cv = std::clamp(int(std::floor((v - v0_) / cell_mm_)), 0, nv_ - 1);
  const int max_ring = std::max({cu, nu_ - 1 - cu, cv, nv_ - 1 - cv});
  double best_sq = std::numeric_limits<double>::infinity();
  for (int r = 0; r <= max_ring; ++r) {
    for (int b = cv - r; b <= cv + r; ++b) {
      if (b < 0 || b >= nv_) continue;
      const bool edge_row = b == cv - r || b == cv + r;
      for (int a = cu - r; a <= cu + r; a += edge_row ? 1 : 2 * r) {
        if (a >= 0 && a < nu_)
          for (int e : cells_[std::size_t(b) * std::size_t(nu_) + std::size_t(a)])
            best_sq = std::min(best_sq, edge_distance_sq(edges_[std::size_t(e)], u, v));
        if (r == 0) break;
      }
    }
    const double reach = double(r) * cell_mm_;
    if (best_sq <= reach * reach) break;
  }
  return std::sqrt(best_sq);
}

}  // namespace sbrtkit::detail
