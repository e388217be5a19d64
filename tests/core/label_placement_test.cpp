// Greedy label placement: a lone label sits next to its point; a crowd of labels around one spot never
// overlaps, stays in the picture, keeps off obstacles and other points, and each label stays near its
// own point (with a leader line when it moved out).
#include "sbrtkit/label_placement.h"

#include <gtest/gtest.h>

namespace sbrtkit {
namespace {

TEST(LabelPlacement, ALoneLabelSitsBesideItsPoint) {
  const auto placed = place_labels({{100, 50, 20, 12}}, {0, 0, 400, 300});
  ASSERT_EQ(placed.size(), 1u);
  // First candidate: to the right, its near side 3 px from the point, vertically centred on it.
  EXPECT_DOUBLE_EQ(placed[0].box.x, 103);
  EXPECT_DOUBLE_EQ(placed[0].box.y, 44);
  EXPECT_FALSE(placed[0].leader);
  EXPECT_FALSE(placed[0].overlapping);
  EXPECT_NEAR(placed[0].box.distance_to(100, 50), 3, 1e-12);
}

TEST(LabelPlacement, AtThePictureEdgeItGoesInside) {
  // A point 2 px from the right edge: the right side does not fit, the label goes to another side.
  const auto placed = place_labels({{398, 150, 20, 12}}, {0, 0, 400, 300});
  EXPECT_TRUE(placed[0].box.inside({0, 0, 400, 300}));
  EXPECT_LE(placed[0].box.distance_to(398, 150), 3 + 1e-9);
}

TEST(LabelPlacement, ACrowdNeverOverlaps) {
  // Twelve points within 10 px of each other, labels 22 x 14 px (two digits of 13 px type).
  std::vector<LabelRequest> crowd;
  for (int n = 0; n < 12; ++n) crowd.push_back({200 + (n % 4) * 3.0, 150 + (n / 4) * 3.0, 22, 14});
  const LabelBox obstacle{160, 100, 30, 30};
  const auto placed = place_labels(crowd, {0, 0, 400, 300}, {obstacle});
  ASSERT_EQ(placed.size(), crowd.size());
  for (std::size_t a = 0; a < placed.size(); ++a) {
    EXPECT_FALSE(placed[a].overlapping) << a;
    EXPECT_TRUE(placed[a].box.inside({0, 0, 400, 300})) << a;
    EXPECT_FALSE(placed[a].box.overlaps(obstacle)) << a;
    // Near its point: within the third ring's gap (20 px) for this crowd's size.
    EXPECT_LE(placed[a].box.distance_to(crowd[a].anchor_x, crowd[a].anchor_y), 34) << a;
    for (std::size_t b = a + 1; b < placed.size(); ++b) EXPECT_FALSE(placed[a].box.overlaps(placed[b].box)) << a << " " << b;
    // No label covers another point (a 6 px square around it).
    for (std::size_t b = 0; b < placed.size(); ++b)
      if (b != a) EXPECT_GT(placed[a].box.distance_to(crowd[b].anchor_x, crowd[b].anchor_y), 3 - 1e-9) << a << " " << b;
  }
  // Those that moved out beyond the first ring carry a leader line, the first one does not.
  EXPECT_FALSE(placed[0].leader);
  int leaders = 0;
  for (const auto& p : placed) leaders += p.leader;
  EXPECT_GT(leaders, 0);
  // Deterministic.
  const auto again = place_labels(crowd, {0, 0, 400, 300}, {obstacle});
  for (std::size_t a = 0; a < placed.size(); ++a) EXPECT_DOUBLE_EQ(again[a].box.x, placed[a].box.x);
}

TEST(LabelPlacement, NoRoomIsSaidNotHidden) {
  // A 40 x 40 picture cannot hold five 30 x 14 labels apart: some are marked overlapping, all stay inside.
  std::vector<LabelRequest> many(5, LabelRequest{20, 20, 30, 14});
  const auto placed = place_labels(many, {0, 0, 40, 40});
  int overlapping = 0;
  for (const auto& p : placed) {
    overlapping += p.overlapping;
    EXPECT_TRUE(p.box.inside({0, 0, 40, 40}));
  }
  EXPECT_GT(overlapping, 0);
  const LabelBox square{0, 0, 10, 10}, shifted{5, 5, 10, 10}, touching{10, 0, 10, 10};
  EXPECT_TRUE(square.overlaps(shifted));
  EXPECT_FALSE(square.overlaps(touching));  // touching is not overlapping
}

}  // namespace
}  // namespace sbrtkit
