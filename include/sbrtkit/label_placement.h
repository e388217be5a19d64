#pragma once
/// Where to put the text labels of marked points (lesion IDs on a MIP) so that no two overlap: greedy
/// placement in request order, each label taking the first free spot on rings of growing distance around
/// its point, with a leader line back to the point when it had to move away. Pure geometry in picture
/// pixels (x right, y down).
///
///   auto placed = place_labels({{px, py, text_w, text_h}, ...}, {0, 0, width, height});
///   for (auto& p : placed) if (p.leader) draw_line(anchor, p.box.nearest_point(anchor));

#include <utility>
#include <vector>

namespace sbrtkit {

struct LabelBox {
  double x = 0, y = 0, width = 0, height = 0;  // top-left corner and size
  /// True when the interiors intersect (boxes that only touch do not overlap).
  bool overlaps(const LabelBox& other) const;
  bool inside(const LabelBox& bounds) const;
  /// Distance from (px, py) to the box (0 inside).
  double distance_to(double px, double py) const;
  /// The box's point closest to (px, py), where a leader line ends.
  std::pair<double, double> nearest_point(double px, double py) const;
};

struct LabelRequest {
  double anchor_x = 0, anchor_y = 0;  // the marked point
  double width = 0, height = 0;       // the label's box
};

struct PlacedLabel {
  LabelBox box;
  bool leader = false;  // placed beyond the first ring: draw a line from the anchor to the box
  bool overlapping = false;  // no free spot was found: the least-overlapping one was taken
};

/// Candidates: 16 directions on rings whose gap from the anchor grows (3, 10, 20, 34, 52, 76, 106, 142
/// px); a candidate must stay within `bounds`, overlap no label placed before, no obstacle and no other
/// request's anchor (a 6 x 6 px square around it). The first free candidate wins; when none is free, the
/// one with the least overlapping area (marked `overlapping`). Box corners are snapped to whole pixels.
/// Deterministic.
std::vector<PlacedLabel> place_labels(const std::vector<LabelRequest>& requests, const LabelBox& bounds,
                                      const std::vector<LabelBox>& obstacles = {});

}  // namespace sbrtkit
