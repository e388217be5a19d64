#pragma once
// The solid a contour stack describes, measured independently of sbrtkit's DVH sampler: each plane's
// loops by the shoelace formula, signed by nesting (even-odd: a loop inside an odd number of others is
// a hole), times the plane's slab; the centroid from the polygons' area centroids.
#include <cmath>
#include <vector>

#include "sbrtkit/contour_stack.h"

namespace sbrtkit::testing {

struct SolidMoments {
  double volume_mm3 = 0;
  PatientPoint centroid;
};

inline bool inside_loop(const std::vector<PlanarPoint>& loop, PlanarPoint p) {
  bool in = false;
  for (std::size_t a = 0, b = loop.size() - 1; a < loop.size(); b = a++)
    if ((loop[a].v > p.v) != (loop[b].v > p.v) &&
        p.u < (loop[b].u - loop[a].u) * (p.v - loop[a].v) / (loop[b].v - loop[a].v) + loop[a].u)
      in = !in;
  return in;
}

inline SolidMoments solid_moments(const ContourStack& stack) {
  double volume = 0, su = 0, sv = 0, sw = 0;
  for (const auto& plane : stack.planes)
    for (std::size_t n = 0; n < plane.loops.size(); ++n) {
      const auto& loop = plane.loops[n];
      double a = 0, cu = 0, cv = 0;
      for (std::size_t q = 0; q < loop.size(); ++q) {
        const PlanarPoint& p = loop[q];
        const PlanarPoint& r = loop[(q + 1) % loop.size()];
        const double cr = p.u * r.v - r.u * p.v;
        a += cr;
        cu += (p.u + r.u) * cr;
        cv += (p.v + r.v) * cr;
      }
      cu /= 3 * a;
      cv /= 3 * a;
      int depth = 0;
      for (std::size_t m = 0; m < plane.loops.size(); ++m)
        if (m != n && inside_loop(plane.loops[m], loop.front())) ++depth;
      const double signed_volume = (depth % 2 ? -1 : 1) * 0.5 * std::abs(a) * plane.thickness_mm();
      volume += signed_volume;
      su += signed_volume * cu;
      sv += signed_volume * cv;
      sw += signed_volume * 0.5 * (plane.slab_low_mm + plane.slab_high_mm);
    }
  SolidMoments m;
  m.volume_mm3 = volume;
  if (volume > 0) m.centroid = stack.to_patient(su / volume, sv / volume, sw / volume);
  return m;
}

}  // namespace sbrtkit::testing
