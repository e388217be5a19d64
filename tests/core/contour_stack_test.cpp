// ContourStack: slabs, end caps, the even-odd inside test, plane frames of non-axial stacks and the
// errors of contours that cannot form a solid. Every expected number is worked out by hand from the
// contour coordinates in the test (squares, so areas and slab bounds are exact).
#include "sbrtkit/contour_stack.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sbrtkit {
namespace {

/// Axis-aligned square [x0, x1] x [y0, y1] on the axial plane z.
Contour axial_square(double x0, double y0, double x1, double y1, double z) {
  return {ContourType::closed_planar, {{x0, y0, z}, {x1, y0, z}, {x1, y1, z}, {x0, y1, z}}};
}

Structure structure_of(std::vector<Contour> contours) {
  Structure s;
  s.roi_number = 7;
  s.name = "GTV_Test";
  s.contours = std::move(contours);
  return s;
}

TEST(ContourStack, SlabsAndHalfEndCapsOfAnEvenlySpacedStack) {
  // A 20 x 20 mm square on z = 0, 2, 4: each plane owns +-1 mm (half the 2 mm gap), and the half end
  // caps add 1 mm below the first and above the last plane: the solid spans z in [-1, 5).
  const Structure s = structure_of({axial_square(0, 0, 20, 20, 0), axial_square(0, 0, 20, 20, 2),
                                    axial_square(0, 0, 20, 20, 4)});
  auto stack = build_contour_stack(s, EndCap::half, 0);
  ASSERT_TRUE(stack) << stack.error().message();
  ASSERT_EQ(stack->planes.size(), 3u);
  // Axial contours: normal +z, u = +x, v = +y.
  EXPECT_NEAR(stack->normal.z, 1.0, 1e-12);
  EXPECT_NEAR(stack->u_axis.x, 1.0, 1e-12);
  EXPECT_NEAR(stack->v_axis.y, 1.0, 1e-12);
  const double low[3] = {-1, 1, 3}, high[3] = {1, 3, 5};
  for (int k = 0; k < 3; ++k) {
    EXPECT_NEAR(stack->planes[k].w_mm, 2.0 * k, 1e-12);
    EXPECT_NEAR(stack->planes[k].slab_low_mm, low[k], 1e-12);
    EXPECT_NEAR(stack->planes[k].slab_high_mm, high[k], 1e-12);
  }
  // 400 mm^2 x 6 mm.
  EXPECT_NEAR(stack->nominal_volume_mm3(), 2400.0, 1e-9);
  EXPECT_TRUE(stack->contains({10, 10, 2}));
  EXPECT_TRUE(stack->contains({10, 10, -1}));     // the bottom face belongs to the solid (half-open slabs)
  EXPECT_FALSE(stack->contains({10, 10, 5}));     // the top face does not
  EXPECT_TRUE(stack->contains({10, 10, 4.999}));
  EXPECT_FALSE(stack->contains({10, 10, -1.001}));
  EXPECT_FALSE(stack->contains({20.001, 10, 2}));  // just outside the square
  EXPECT_TRUE(stack->contains({19.999, 0.001, 0}));
}

TEST(ContourStack, NoEndCapsAndUnevenGaps) {
  // Planes z = 0, 2, 6 without end caps: [0, 1), [1, 4), [4, 6]: half gaps of 1 and 2 mm.
  const Structure s = structure_of({axial_square(0, 0, 10, 10, 6), axial_square(0, 0, 10, 10, 0),
                                    axial_square(0, 0, 10, 10, 2)});  // out of order: sorted by w
  auto stack = build_contour_stack(s, EndCap::none, 0);
  ASSERT_TRUE(stack) << stack.error().message();
  ASSERT_EQ(stack->planes.size(), 3u);
  EXPECT_NEAR(stack->planes[0].slab_low_mm, 0, 1e-12);
  EXPECT_NEAR(stack->planes[0].slab_high_mm, 1, 1e-12);
  EXPECT_NEAR(stack->planes[1].slab_low_mm, 1, 1e-12);
  EXPECT_NEAR(stack->planes[1].slab_high_mm, 4, 1e-12);
  EXPECT_NEAR(stack->planes[2].slab_low_mm, 4, 1e-12);
  EXPECT_NEAR(stack->planes[2].slab_high_mm, 6, 1e-12);
  EXPECT_NEAR(stack->nominal_volume_mm3(), 100.0 * 6, 1e-9);
  EXPECT_FALSE(stack->contains({5, 5, -0.5}));
  // With half end caps the caps are half the outer gaps: 1 mm below, 2 mm above.
  stack = build_contour_stack(s, EndCap::half, 0);
  ASSERT_TRUE(stack);
  EXPECT_NEAR(stack->planes[0].slab_low_mm, -1, 1e-12);
  EXPECT_NEAR(stack->planes[2].slab_high_mm, 8, 1e-12);
  EXPECT_NEAR(stack->nominal_volume_mm3(), 100.0 * 9, 1e-9);
}

TEST(ContourStack, SinglePlaneTakesTheGivenThickness) {
  const Structure s = structure_of({axial_square(0, 0, 10, 10, 3)});
  auto stack = build_contour_stack(s, EndCap::half, 2.5);
  ASSERT_TRUE(stack);
  ASSERT_EQ(stack->planes.size(), 1u);
  EXPECT_NEAR(stack->planes[0].slab_low_mm, 1.75, 1e-12);
  EXPECT_NEAR(stack->planes[0].slab_high_mm, 4.25, 1e-12);
  EXPECT_NEAR(stack->nominal_volume_mm3(), 250.0, 1e-9);
  // Unknown thickness: a slab of zero width, no volume and no point inside.
  stack = build_contour_stack(s, EndCap::half, 0);
  ASSERT_TRUE(stack);
  EXPECT_NEAR(stack->nominal_volume_mm3(), 0.0, 1e-12);
  EXPECT_FALSE(stack->contains({5, 5, 3}));
}

TEST(ContourStack, EvenOddRuleMakesAHoleAndRepeatedClosingPointsAreDropped) {
  // Outer 0..30 square and an inner 10..20 square on the same planes: a ring. The outer loop repeats its
  // first point at the end, as some exporters write it; that must not add an edge.
  Contour outer = axial_square(0, 0, 30, 30, 0);
  outer.points.push_back(outer.points.front());
  Contour outer2 = axial_square(0, 0, 30, 30, 2);
  const Structure s = structure_of({outer, axial_square(10, 10, 20, 20, 0), outer2, axial_square(10, 10, 20, 20, 2)});
  auto stack = build_contour_stack(s, EndCap::half, 0);
  ASSERT_TRUE(stack) << stack.error().message();
  ASSERT_EQ(stack->planes.size(), 2u);
  EXPECT_EQ(stack->planes[0].loops.size(), 2u);
  EXPECT_EQ(stack->planes[0].loops[0].size(), 4u);
  EXPECT_TRUE(stack->contains({5, 5, 0}));     // in the ring
  EXPECT_FALSE(stack->contains({15, 15, 0}));  // in the hole
  EXPECT_TRUE(stack->contains({25, 15, 2}));
  EXPECT_TRUE(stack->planes[1].contains(5, 25));
  EXPECT_FALSE(stack->planes[1].contains(15, 15));
  EXPECT_FALSE(stack->planes[1].contains(31, 15));
}

TEST(ContourStack, SagittalContoursGetAnXNormal) {
  // Squares in the planes x = 4 and x = 8 (y and z vary): a sagittal stack, slabs along x.
  auto sagittal_square = [](double x) {
    return Contour{ContourType::closed_planar, {{x, 0, 0}, {x, 10, 0}, {x, 10, 10}, {x, 0, 10}}};
  };
  const Structure s = structure_of({sagittal_square(4), sagittal_square(8)});
  auto stack = build_contour_stack(s, EndCap::half, 0);
  ASSERT_TRUE(stack) << stack.error().message();
  EXPECT_NEAR(std::abs(stack->normal.x), 1.0, 1e-12);
  ASSERT_EQ(stack->planes.size(), 2u);
  EXPECT_NEAR(stack->nominal_volume_mm3(), 100.0 * 8, 1e-9);  // x in [2, 10)
  EXPECT_TRUE(stack->contains({2.5, 5, 5}));
  EXPECT_TRUE(stack->contains({9.5, 5, 5}));
  EXPECT_FALSE(stack->contains({10.5, 5, 5}));
  EXPECT_FALSE(stack->contains({6, 5, 10.5}));
  EXPECT_FALSE(stack->contains({1.5, 5, 5}));
}

TEST(ContourStack, OpenAndPointContoursAreCountedNotFilled) {
  Structure s = structure_of({axial_square(0, 0, 10, 10, 0), axial_square(0, 0, 10, 10, 2)});
  s.contours.push_back({ContourType::open_planar, {{0, 0, 4}, {5, 0, 4}, {5, 5, 4}}});
  s.contours.push_back({ContourType::point, {{1, 1, 1}}});
  auto stack = build_contour_stack(s, EndCap::half, 0);
  ASSERT_TRUE(stack);
  EXPECT_EQ(stack->open_contours, 1u);
  EXPECT_EQ(stack->point_contours, 1u);
  EXPECT_EQ(stack->planes.size(), 2u);
}

TEST(ContourStack, ContoursThatCannotFormASolidAreErrorsNamingTheRoi) {
  // Two distinct points (the third repeats the first).
  Structure degenerate = structure_of({{ContourType::closed_planar, {{0, 0, 0}, {1, 0, 0}, {0, 0, 0}}}});
  auto e = build_contour_stack(degenerate, EndCap::half, 0);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("ROI 7 'GTV_Test'"), std::string::npos) << e.error().message();
  EXPECT_NE(e.error().message().find("(3006,0050)"), std::string::npos) << e.error().message();
  // One corner of a 10 mm square lifted by 1 mm: not planar within 0.05 mm.
  Structure tilted = structure_of({{ContourType::closed_planar, {{0, 0, 0}, {10, 0, 0}, {10, 10, 1}, {0, 10, 0}}}});
  e = build_contour_stack(tilted, EndCap::half, 0);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("not in a plane"), std::string::npos) << e.error().message();
  // An axial and a sagittal square: not parallel.
  Structure mixed = structure_of({axial_square(0, 0, 20, 20, 0),
                                  {ContourType::closed_planar, {{5, 0, 0}, {5, 10, 0}, {5, 10, 10}, {5, 0, 10}}}});
  e = build_contour_stack(mixed, EndCap::half, 0);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("ROI 7"), std::string::npos) << e.error().message();
  // NaN coordinates.
  Structure nan = structure_of({axial_square(0, 0, 10, std::nan(""), 0)});
  e = build_contour_stack(nan, EndCap::half, 0);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("finite"), std::string::npos) << e.error().message();
  // Collinear points only.
  Structure line = structure_of({{ContourType::closed_planar, {{0, 0, 0}, {1, 0, 0}, {2, 0, 0}}}});
  EXPECT_FALSE(build_contour_stack(line, EndCap::half, 0));
}

}  // namespace
}  // namespace sbrtkit
