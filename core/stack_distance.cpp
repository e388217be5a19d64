#include "sbrtkit/stack_distance.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace sbrtkit {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct PlanarBox {
  double u0 = kInf, u1 = -kInf, v0 = kInf, v1 = -kInf;
  void add(double u, double v) {
    u0 = std::min(u0, u);
    u1 = std::max(u1, u);
    v0 = std::min(v0, v);
    v1 = std::max(v1, v);
  }
  double distance_sq(double u, double v) const {
    const double du = std::max({0.0, u0 - u, u - u1});
    const double dv = std::max({0.0, v0 - v, v - v1});
    return du * du + dv * dv;
  }
};

/// Squared in-plane distance from (u, v) to the nearest loop edge, capped at cap_sq.
double edge_distance_sq(const ContourPlane& plane, double u, double v, double cap_sq) {
  double best = cap_sq;
  for (const auto& loop : plane.loops) {
    const std::size_t n = loop.size();
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
      const PlanarPoint& a = loop[j];
      const PlanarPoint& b = loop[i];
      const double eu = b.u - a.u, ev = b.v - a.v;
      const double len_sq = eu * eu + ev * ev;
      double t = len_sq > 0 ? ((u - a.u) * eu + (v - a.v) * ev) / len_sq : 0.0;
      t = std::clamp(t, 0.0, 1.0);
      const double du = u - (a.u + t * eu), dv = v - (a.v + t * ev);
      best = std::min(best, du * du + dv * dv);
    }
  }
  return best;
}

}  // namespace

struct StackDistance::Impl {
  struct Plane {
    ContourPlane contour;
    PlanarBox box;
    double w_low() const { return contour.slab_low_mm; }
    double w_high() const { return contour.slab_high_mm; }
  };
  ContourStack frame;         // origin and axes only (planes kept below with their boxes)
  std::vector<Plane> planes;  // ascending w, planes with loops only
  PlanarBox box;
  double w_low = kInf, w_high = -kInf;

  void to_frame(PatientPoint p, double& u, double& v, double& w) const {
    const Vec3 d = p - frame.origin;
    u = dot(d, frame.u_axis);
    v = dot(d, frame.v_axis);
    w = dot(d, frame.normal);
  }
  /// Index of the first plane whose slab does not lie wholly below w.
  std::size_t first_above(double w) const {
    return std::size_t(std::lower_bound(planes.begin(), planes.end(), w,
                                        [](const Plane& pl, double x) { return pl.w_high() < x; }) -
                       planes.begin());
  }
  /// Walks the planes outwards from `start` in both directions while visit(plane index) says go on.
  template <class Visit>
  void walk_outwards(std::size_t start, Visit&& visit) const {
    for (std::size_t i = start; i < planes.size(); ++i)
      if (!visit(i)) break;
    for (std::size_t i = start; i-- > 0;)
      if (!visit(i)) break;
  }
};

StackDistance::StackDistance(const ContourStack& stack) : impl_(std::make_unique<Impl>()) {
  impl_->frame.origin = stack.origin;
  impl_->frame.u_axis = stack.u_axis;
  impl_->frame.v_axis = stack.v_axis;
  impl_->frame.normal = stack.normal;
  for (const auto& plane : stack.planes) {
    if (plane.loops.empty()) continue;
    Impl::Plane p{plane, {}};
    for (const auto& loop : plane.loops)
      for (const auto& q : loop) p.box.add(q.u, q.v);
    impl_->box.add(p.box.u0, p.box.v0);
    impl_->box.add(p.box.u1, p.box.v1);
    impl_->w_low = std::min(impl_->w_low, p.w_low());
    impl_->w_high = std::max(impl_->w_high, p.w_high());
    impl_->planes.push_back(std::move(p));
  }
  impl_->frame.planes.clear();
}
StackDistance::~StackDistance() = default;
StackDistance::StackDistance(StackDistance&&) noexcept = default;
StackDistance& StackDistance::operator=(StackDistance&&) noexcept = default;

double StackDistance::lower_bound_mm(PatientPoint p) const {
  if (impl_->planes.empty()) return kInf;
  double u, v, w;
  impl_->to_frame(p, u, v, w);
  const double dw = std::max({0.0, impl_->w_low - w, w - impl_->w_high});
  return std::sqrt(dw * dw + impl_->box.distance_sq(u, v));
}

double StackDistance::distance_mm(PatientPoint p, double stop_below_mm) const {
  const auto& planes = impl_->planes;
  if (planes.empty()) return kInf;
  double u, v, w;
  impl_->to_frame(p, u, v, w);
  // Start at the plane whose slab holds w (or the nearest) and walk outwards; a plane farther in w
  // than the best distance so far cannot be nearer.
  double best_sq = kInf;
  const double stop_sq = stop_below_mm * stop_below_mm;
  impl_->walk_outwards(impl_->first_above(w), [&](std::size_t i) {
    if (best_sq < stop_sq) return false;
    const auto& plane = planes[i];
    const double dw = std::max({0.0, plane.w_low() - w, w - plane.w_high()});
    const double dw_sq = dw * dw;
    if (dw_sq >= best_sq) return false;
    if (dw_sq + plane.box.distance_sq(u, v) >= best_sq) return true;
    const double in_plane_sq =
        plane.contour.contains(u, v) ? 0.0 : edge_distance_sq(plane.contour, u, v, best_sq - dw_sq);
    best_sq = std::min(best_sq, dw_sq + in_plane_sq);
    return true;
  });
  return std::sqrt(best_sq);
}

double StackDistance::signed_distance_mm(PatientPoint p) const {
  const auto& planes = impl_->planes;
  if (planes.empty()) return kInf;
  double u, v, w;
  impl_->to_frame(p, u, v, w);
  // Inside: the plane whose half-open slab [low, high) holds w (the first with high > w: on a face
  // between two slabs that is the upper one), by the stack's one even-odd test.
  const std::size_t k = std::size_t(std::upper_bound(planes.begin(), planes.end(), w,
                                                     [](double x, const Impl::Plane& pl) { return x < pl.w_high(); }) -
                                    planes.begin());
  const bool inside = k < planes.size() && w >= planes[k].w_low() && w < planes[k].w_high() &&
                      planes[k].contour.contains(u, v);
  if (!inside) return distance_mm(p);
  // Distance to the outside: beyond either end of the stack, or in some slab outside its loops
  // (distance in w to that slab, combined with the in-plane distance to the loops' edge when (u, v) is
  // inside them there too). The union of these regions is the whole outside, so the minimum is exact.
  double best_sq = std::min(w - impl_->w_low, impl_->w_high - w);
  best_sq *= best_sq;
  impl_->walk_outwards(k, [&](std::size_t i) {
    const auto& plane = planes[i];
    const double dw = std::max({0.0, plane.w_low() - w, w - plane.w_high()});
    const double dw_sq = dw * dw;
    if (dw_sq >= best_sq) return false;
    const double in_plane_sq = plane.contour.contains(u, v) ? edge_distance_sq(plane.contour, u, v, best_sq - dw_sq) : 0.0;
    best_sq = std::min(best_sq, dw_sq + in_plane_sq);
    return true;
  });
  return -std::sqrt(best_sq);
}

}  // namespace sbrtkit
