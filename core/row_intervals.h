#pragma once
// Scanline intersection of a plane's loops with a row v = const: the inside of the even-odd region
// along u, as exact intervals. Exactness along u is what keeps thin and tiny structures honest.

#include <vector>

#include "sbrtkit/contour_stack.h"

namespace sbrtkit::detail {

struct Interval {
  double begin, end;
};

/// Edges of a plane's loops, prepared for repeated row queries.
class RowIntersector {
 public:
  explicit RowIntersector(const ContourPlane& plane);

  double v_min() const { return v_min_; }
  double v_max() const { return v_max_; }
  /// Inside intervals of row v, ascending; `crossings` is scratch space reused between calls.
  void intervals(double v, std::vector<double>& crossings, std::vector<Interval>& out) const;

 private:
  struct Edge {
    double v_low, v_high;  // half-open [v_low, v_high) so a vertex on the row counts once
    double u_at_low, du_dv;
  };
  std::vector<Edge> edges_;  // sorted by v_low
  double v_min_ = 0, v_max_ = 0;
};

}  // namespace sbrtkit::detail
