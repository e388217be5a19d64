#include "row_intervals.h"

#include <algorithm>

namespace sbrtkit::detail {

RowIntersector::RowIntersector(const ContourPlane& plane) {
  v_min_ = 1e300;
  v_max_ = -1e300;
  for (const auto& loop : plane.loops) {
    for (std::size_t a = 0; a < loop.size(); ++a) {
      const PlanarPoint& p = loop[a];
      const PlanarPoint& q = loop[(a + 1) % loop.size()];
      v_min_ = std::min(v_min_, p.v);
      v_max_ = std::max(v_max_, p.v);
      if (p.v == q.v) continue;  // horizontal edges never cross a row transversally
      const PlanarPoint& low = p.v < q.v ? p : q;
      const PlanarPoint& high = p.v < q.v ? q : p;
      edges_.push_back({low.v, high.v, low.u, (high.u - low.u) / (high.v - low.v)});
    }
  }
  std::sort(edges_.begin(), edges_.end(), [](const Edge& a, const Edge& b) { return a.v_low < b.v_low; });
}

void RowIntersector::intervals(double v, std::vector<double>& crossings, std::vector<Interval>& out) const {
  crossings.clear();
  out.clear();
  for (const Edge& e : edges_) {
    if (e.v_low > v) break;
    if (v < e.v_high) crossings.push_back(e.u_at_low + (v - e.v_low) * e.du_dv);
  }
  std::sort(crossings.begin(), crossings.end());
  // Even-odd rule: crossings pair up; a closed loop crosses a row an even number of times.
  for (std::size_t c = 0; c + 1 < crossings.size(); c += 2)
    if (crossings[c + 1] > crossings[c]) out.push_back({crossings[c], crossings[c + 1]});
}

}  // namespace sbrtkit::detail
