// segment_lesions on hand-built SUV images (nested cubes, rings, gaps) whose segmented voxel counts and
// thresholds follow from the rule by hand: cut = B + p (SUVmax - B), grown 26-connected from each
// seed's maximum, hottest seed first; plus every option the function refuses.
#include <gtest/gtest.h>

#include <algorithm>

#include "sbrtkit/lesion.h"

namespace sbrtkit {
namespace {

ImageGeometry cube_grid(std::int64_t n) {
  return ImageGeometry({n, n, n}, PatientPoint{0, 0, 0}, Vec3{2, 2, 2}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
}

void fill(Volume<float>& v, std::int64_t lo, std::int64_t hi, float value) {
  for (auto k = lo; k <= hi; ++k)
    for (auto j = lo; j <= hi; ++j)
      for (auto i = lo; i <= hi; ++i) v.at(i, j, k) = value;
}

SegmentationOptions plain_percent(double percent) {
  SegmentationOptions o;
  o.percent = percent;
  o.local_background = false;
  o.min_volume_cc = 0;
  return o;
}

TEST(LesionSegmentation, NestedCubesFollowThePercentOfTheMaximum) {
  // Background 1, a 7^3 shell region of SUV 5 holding a 3^3 core of SUV 10.
  Volume<float> suv(cube_grid(20), 1.f);
  fill(suv, 7, 13, 5.f);
  fill(suv, 9, 11, 10.f);
  // 41%: cut 4.1 takes the shell, 343 voxels.
  auto seg = segment_lesions(suv, nullptr, plain_percent(41));
  ASSERT_TRUE(seg) << seg.error().message();
  ASSERT_EQ(seg->lesions.size(), 1u);
  EXPECT_EQ(seg->lesions[0].index.size(), 343u);
  EXPECT_NEAR(seg->threshold_suv[0], 4.1, 1e-9);
  // 60%: cut 6 keeps the core only, 27 voxels.
  seg = segment_lesions(suv, nullptr, plain_percent(60));
  ASSERT_TRUE(seg);
  ASSERT_EQ(seg->lesions.size(), 1u);
  EXPECT_EQ(seg->lesions[0].index.size(), 27u);
  // 50%: cut exactly 5.0: the >= rule takes the shell (5.0 is exact in float and double).
  seg = segment_lesions(suv, nullptr, plain_percent(50));
  ASSERT_TRUE(seg);
  EXPECT_EQ(seg->lesions[0].index.size(), 343u);
  // Voxels are the linear indices, ascending, each of weight 1.
  const auto& l = seg->lesions[0];
  EXPECT_TRUE(std::is_sorted(l.index.begin(), l.index.end()));
  EXPECT_EQ(l.index.front(), suv.geometry.linear_index({7, 7, 7}));
  for (float w : l.weight) EXPECT_EQ(w, 1.f);
}

TEST(LesionSegmentation, LocalBackgroundRaisesTheCutByTheBackground) {
  // Background 2, a 5^3 cube of 10 inside a one-voxel ring of 4.5 (7^3 in all), 40^3 grid of 2 mm.
  // Plain 41%: cut 4.1 < 4.5 takes the ring: 343 voxels. With the local background B = 2 (the shell 8-16
  // mm out holds only background): cut 2 + 0.41 x 8 = 5.28 > 4.5: the cube only, 125 voxels.
  Volume<float> suv(cube_grid(40), 2.f);
  fill(suv, 17, 23, 4.5f);
  fill(suv, 18, 22, 10.f);
  auto seg = segment_lesions(suv, nullptr, plain_percent(41));
  ASSERT_TRUE(seg);
  ASSERT_EQ(seg->lesions.size(), 1u);
  EXPECT_EQ(seg->lesions[0].index.size(), 343u);
  EXPECT_EQ(seg->background_suv[0], 0.0);
  SegmentationOptions o = plain_percent(41);
  o.local_background = true;
  seg = segment_lesions(suv, nullptr, o);
  ASSERT_TRUE(seg) << seg.error().message();
  ASSERT_EQ(seg->lesions.size(), 1u);
  EXPECT_NEAR(seg->background_suv[0], 2.0, 1e-9);
  EXPECT_NEAR(seg->threshold_suv[0], 5.28, 1e-9);
  EXPECT_EQ(seg->lesions[0].index.size(), 125u);
}

TEST(LesionSegmentation, ACoolerSeedInsideAHotterLesionIsMergedWithANote) {
  // A hot cube (20) and, across a one-voxel gap of SUV 2.5, a warm voxel pair (3.5). Seeds need SUV >= 3,
  // so the gap splits them into two seed regions; with 10% of 20 = 2 as the cut the hot lesion grows
  // over the gap (2.5 >= 2) and takes the warm pair: one lesion of 27 + 9 + 2 voxels, and a note.
  Volume<float> suv(cube_grid(20), 1.f);
  fill(suv, 3, 5, 20.f);                                  // 27 voxels
  for (std::int64_t j = 3; j <= 5; ++j)
    for (std::int64_t k = 3; k <= 5; ++k) suv.at(6, j, k) = 2.5f;  // the gap plane, 9 voxels
  suv.at(7, 4, 4) = suv.at(8, 4, 4) = 3.5f;
  auto seg = segment_lesions(suv, nullptr, plain_percent(10));
  ASSERT_TRUE(seg);
  ASSERT_EQ(seg->lesions.size(), 1u);
  EXPECT_EQ(seg->lesions[0].index.size(), 38u);
  bool noted = false;
  for (const auto& n : seg->notes) noted = noted || n.find("inside a hotter lesion") != std::string::npos;
  EXPECT_TRUE(noted);
  // With 41% (cut 8.2) the gap stops the hot lesion and the warm pair is a lesion of its own, cut at
  // 0.41 x 3.5 = 1.435: it grows into the gap plane too (2.5 >= 1.435) but not into the taken hot cube,
  // and not into the background (1 < 1.435): 2 + 9 voxels. Ordered hottest first.
  seg = segment_lesions(suv, nullptr, plain_percent(41));
  ASSERT_TRUE(seg);
  ASSERT_EQ(seg->lesions.size(), 2u);
  EXPECT_EQ(seg->lesions[0].index.size(), 27u);
  EXPECT_EQ(seg->lesions[1].index.size(), 11u);
  EXPECT_NEAR(seg->threshold_suv[1], 1.435, 1e-6);
}

TEST(LesionSegmentation, OrderMinimumVolumeAndExclusion) {
  // Three equal cubes of SUV 8: ties in SUVmax go by first voxel (raster order). 2 mm voxels: 8 mm^3.
  Volume<float> suv(cube_grid(30), 1.f);
  auto box = [&](std::int64_t i0, std::int64_t j0, std::int64_t k0, std::int64_t n, float value) {
    for (auto k = k0; k < k0 + n; ++k)
      for (auto j = j0; j < j0 + n; ++j)
        for (auto i = i0; i < i0 + n; ++i) suv.at(i, j, k) = value;
  };
  box(20, 2, 2, 3, 8.f);    // first voxel index 20 + 30 x (2 + 30 x 2)
  box(2, 2, 20, 3, 8.f);    // later in raster order (k = 20)
  box(2, 20, 2, 2, 8.f);    // 8 voxels = 0.064 cc, between the two others in raster order
  box(10, 10, 10, 4, 12.f);  // the hottest, 64 voxels
  SegmentationOptions o = plain_percent(41);
  auto seg = segment_lesions(suv, nullptr, o);
  ASSERT_TRUE(seg);
  ASSERT_EQ(seg->lesions.size(), 4u);
  EXPECT_EQ(seg->lesions[0].index.size(), 64u);
  EXPECT_EQ(seg->lesions[1].index.front(), suv.geometry.linear_index({20, 2, 2}));
  EXPECT_EQ(seg->lesions[2].index.front(), suv.geometry.linear_index({2, 20, 2}));
  EXPECT_EQ(seg->lesions[3].index.front(), suv.geometry.linear_index({2, 2, 20}));
  // 0.1 cc minimum: the 8-voxel cube (0.064 cc) goes; 27 voxels = 0.216 cc stays.
  o.min_volume_cc = 0.1;
  seg = segment_lesions(suv, nullptr, o);
  ASSERT_TRUE(seg);
  EXPECT_EQ(seg->lesions.size(), 3u);
  EXPECT_EQ(seg->rejected_small, 1u);
  // Excluding the hottest cube's voxels (a "bladder"): three lesions left, no voxel of it segmented.
  MaskVolume exclude(suv.geometry, 0);
  for (auto k = 10; k < 14; ++k)
    for (auto j = 10; j < 14; ++j)
      for (auto i = 10; i < 14; ++i) exclude.at(i, j, k) = 1;
  o.min_volume_cc = 0;
  seg = segment_lesions(suv, &exclude, o);
  ASSERT_TRUE(seg);
  ASSERT_EQ(seg->lesions.size(), 3u);
  for (const auto& l : seg->lesions)
    for (auto n : l.index) EXPECT_FALSE(exclude.voxels[n]);
  // The same with an absolute threshold: the cut is the whole image at once.
  o.mode = ThresholdMode::absolute;
  o.absolute_suv = 10;
  seg = segment_lesions(suv, nullptr, o);
  ASSERT_TRUE(seg);
  ASSERT_EQ(seg->lesions.size(), 1u);
  EXPECT_EQ(seg->lesions[0].index.size(), 64u);
  EXPECT_EQ(seg->threshold_suv[0], 10.0);
}

TEST(LesionSegmentation, OptionsOutOfRangeAreRefusedNamingTheOption) {
  const Volume<float> suv(cube_grid(8), 1.f);
  const auto refused = [&](SegmentationOptions o, const char* option) {
    auto seg = segment_lesions(suv, nullptr, o);
    ASSERT_FALSE(seg) << option;
    EXPECT_NE(seg.error().message().find(option), std::string::npos) << seg.error().message();
  };
  SegmentationOptions o;
  o.percent = 0;
  refused(o, "--percent");
  o.percent = 100.5;
  refused(o, "--percent");
  o = {};
  o.seed_suv = 0;
  refused(o, "--seed-suv");
  o = {};
  o.background_inner_mm = 16;
  o.background_outer_mm = 8;
  refused(o, "--background-shell");
  o = {};
  o.min_volume_cc = -1;
  refused(o, "--min-volume");
  o = {};
  o.mode = ThresholdMode::absolute;
  o.absolute_suv = 0;
  refused(o, "--threshold");
  o = {};
  o.mode = ThresholdMode::liver;
  refused(o, "--liver-roi");  // no liver reference
  // A mask on another grid.
  const MaskVolume other(cube_grid(9), 0);
  EXPECT_FALSE(segment_lesions(suv, &other, {}));
}

}  // namespace
}  // namespace sbrtkit
