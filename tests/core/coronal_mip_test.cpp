// Coronal MIP picture: orientation (patient right on the left, superior up), projection, tint, mapping.
#include "sbrtkit/coronal_mip.h"

#include <gtest/gtest.h>

namespace sbrtkit {
namespace {

TEST(CoronalMip, PatientRightLeftSuperiorUpAndTheHottestVoxelAlongTheRay) {
  // 4 x 3 x 5 voxels of 2 mm, LPS axes: i = 0 is the patient's right, k = 4 the most superior slice.
  Volume<float> suv(ImageGeometry({4, 3, 5}, PatientPoint{0, 0, 0}, Vec3{2, 2, 2},
                                  {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}}),
                    0.f);
  suv.at(0, 1, 4) = 10.f;  // right, superior: top-left of the picture, black (window 10)
  suv.at(3, 0, 0) = 2.f;   // left, inferior, behind a hotter labelled voxel on the same ray
  suv.at(3, 2, 0) = 5.f;
  std::vector<std::uint8_t> labels(suv.voxels.size(), 0);
  labels[suv.geometry.linear_index({3, 2, 0})] = 7;
  const CoronalMip m = coronal_mip(suv, labels, 10.0, [](std::uint8_t l) {
    return l == 7 ? Rgb{255, 0, 0} : Rgb{0, 0, 255};
  });
  // 2 mm voxels at 1 mm per pixel: 8 x 10 pixels.
  ASSERT_EQ(m.image.width, 8);
  ASSERT_EQ(m.image.height, 10);
  EXPECT_EQ(m.image.rgb(0, 0), (Rgb{0, 0, 0}));
  EXPECT_EQ(m.image.rgb(1, 1), (Rgb{0, 0, 0}));
  // Bottom-right: SUV 5 of 10 gives grey 127.5, tinted 0.35 x grey + 0.65 x red.
  const Rgb br = m.image.rgb(7, 9);
  EXPECT_EQ(br.r, std::uint8_t(0.35 * 127.5 + 0.65 * 255));
  EXPECT_EQ(br.g, std::uint8_t(0.35 * 127.5));
  EXPECT_EQ(m.image.rgb(4, 5), (Rgb{255, 255, 255}));  // nothing on that ray
  // Mapping both ways: voxel (i, k) centre <-> pixel.
  const auto [px, py] = m.pixel_of(0, 4);
  EXPECT_EQ(px, 1);
  EXPECT_EQ(py, 1);
  const auto [ci, ck] = m.index_at(7, 9);
  EXPECT_NEAR(ci, 3.25, 1e-12);
  EXPECT_NEAR(ck, -0.25, 1e-12);
}

}  // namespace
}  // namespace sbrtkit
