#include "sbrtkit/label_placement.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

namespace sbrtkit {

bool LabelBox::overlaps(const LabelBox& o) const {
  return x < o.x + o.width && o.x < x + width && y < o.y + o.height && o.y < y + height;
}

bool LabelBox::inside(const LabelBox& b) const {
  return x >= b.x && y >= b.y && x + width <= b.x + b.width && y + height <= b.y + b.height;
}

std::pair<double, double> LabelBox::nearest_point(double px, double py) const {
  return {std::clamp(px, x, x + width), std::clamp(py, y, y + height)};
}

double LabelBox::distance_to(double px, double py) const {
  const auto [nx, ny] = nearest_point(px, py);
  return std::hypot(px - nx, py - ny);
}

namespace {

double overlap_area(const LabelBox& a, const LabelBox& b) {
  const double w = std::min(a.x + a.width, b.x + b.width) - std::max(a.x, b.x);
  const double h = std::min(a.y + a.height, b.y + b.height) - std::max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

}  // namespace

std::vector<PlacedLabel> place_labels(const std::vector<LabelRequest>& requests, const LabelBox& bounds,
                                      const std::vector<LabelBox>& obstacles) {
  constexpr double kGaps[] = {3, 10, 20, 34, 52, 76, 106, 142};
  constexpr int kDirections = 16;
  constexpr double kAnchorHalf = 3;
  std::vector<LabelBox> taken = obstacles;
  std::vector<LabelBox> anchors;
  for (const auto& r : requests)
    anchors.push_back({r.anchor_x - kAnchorHalf, r.anchor_y - kAnchorHalf, 2 * kAnchorHalf, 2 * kAnchorHalf});
  std::vector<PlacedLabel> out;
  for (std::size_t n = 0; n < requests.size(); ++n) {
    const LabelRequest& r = requests[n];
    PlacedLabel best;
    double best_overlap = -1;
    bool found = false;
    for (std::size_t ring = 0; ring < std::size(kGaps) && !found; ++ring)
      for (int d = 0; d < kDirections && !found; ++d) {
        // Direction 0 is to the right, then counter-clockwise on screen; the box's near side sits kGaps
        // from the anchor along the direction.
        const double a = -2 * std::numbers::pi * d / kDirections;
        const double cx = r.anchor_x + std::cos(a) * (kGaps[ring] + 0.5 * r.width);
        const double cy = r.anchor_y + std::sin(a) * (kGaps[ring] + 0.5 * r.height);
        // Snapped to whole pixels, so borders drawn on them are crisp (and tested boxes are drawn boxes).
        LabelBox box{std::round(cx - 0.5 * r.width), std::round(cy - 0.5 * r.height), r.width, r.height};
        if (!box.inside(bounds)) continue;
        double overlap = 0;
        for (const auto& t : taken) overlap += overlap_area(box, t);
        for (std::size_t m = 0; m < anchors.size(); ++m)
          if (m != n) overlap += overlap_area(box, anchors[m]);
        if (overlap == 0) {
          best = {box, ring > 0, false};
          found = true;
        } else if (best_overlap < 0 || overlap < best_overlap) {
          best = {box, ring > 0, true};
          best_overlap = overlap;
        }
      }
    if (!found && best_overlap < 0) {
      // Not even one candidate fits in the bounds (a label larger than the picture): at the anchor, clamped.
      LabelBox box{std::clamp(r.anchor_x + kGaps[0], bounds.x, bounds.x + std::max(0.0, bounds.width - r.width)),
                   std::clamp(r.anchor_y - 0.5 * r.height, bounds.y, bounds.y + std::max(0.0, bounds.height - r.height)),
                   r.width, r.height};
      best = {box, false, true};
    }
    taken.push_back(best.box);
    out.push_back(best);
  }
  return out;
}

}  // namespace sbrtkit
