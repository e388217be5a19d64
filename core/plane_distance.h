#pragma once
// Unsigned in-plane distance from a point to the nearest edge of one contour plane's loops, with a
// uniform bucket grid of edges so that a query costs a few edges, not all of them (clinical contours
// have hundreds of vertices and the shape-based sampler asks thousands of times per row band).
// The sign (even-odd inside) is the caller's: ShapeSampler knows it from the row's exact intervals.

#include <vector>

#include "sbrtkit/contour_stack.h"

namespace sbrtkit::detail {

class PlaneDistance {
 public:
  explicit PlaneDistance(const ContourPlane& plane);
  /// Distance (mm) from (u, v) to the nearest loop edge; kFar when the plane has no edge.
  double distance_mm(double u, double v) const;
  static constexpr double kFar = 1e9;

 private:
  struct Edge {
    double au, av, eu, ev, inv_len_sq;  // start, direction, 1/|direction|^2 (0 for a degenerate edge)
  };
  double edge_distance_sq(const Edge& e, double u, double v) const;
  std::vector<Edge> edges_;
  // Edge indices per bucket, row-major (nu_ x nv_), in compressed rows: bucket c holds
  // cell_edges_[cell_start_[c] .. cell_start_[c + 1]).
  std::vector<int> cell_start_, cell_edges_;
  double u0_ = 0, v0_ = 0, cell_mm_ = 1;
  int nu_ = 0, nv_ = 0;
};

}  // namespace sbrtkit::detail
