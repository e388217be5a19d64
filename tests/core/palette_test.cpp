// The shared palette and the sRGB -> CIELab conversion behind SEG's RecommendedDisplayCIELabValue,
// against published values (Lindbloom's calculator, sRGB with Bradford adaptation to D50).
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "sbrtkit/palette.h"

namespace sbrtkit {
namespace {

TEST(Palette, NineDistinctColoursThenRepeats) {
  std::set<std::tuple<int, int, int>> seen;
  for (std::size_t k = 0; k < kQualitativePalette.size(); ++k) {
    const Rgb c = qualitative_colour(k);
    seen.insert({c.r, c.g, c.b});
  }
  EXPECT_EQ(seen.size(), 9u);
  EXPECT_EQ(qualitative_colour(9), qualitative_colour(0));
  // Tol's muted rose is #CC6677; lesion 1 gets it, lesion 2 indigo #332288.
  EXPECT_EQ(lesion_colour(1), (Rgb{0xCC, 0x66, 0x77}));
  EXPECT_EQ(lesion_colour(2), (Rgb{0x33, 0x22, 0x88}));
}

TEST(Palette, CieLabOfWhiteBlackAndPrimaries) {
  // White and black: L* 100 and 0, a* = b* = 0 by construction of the D50 white (to rounding).
  const CieLab white = srgb_to_cielab({255, 255, 255});
  EXPECT_NEAR(white.l, 100, 1e-9);
  EXPECT_NEAR(white.a, 0, 1e-9);
  EXPECT_NEAR(white.b, 0, 1e-9);
  const CieLab black = srgb_to_cielab({0, 0, 0});
  EXPECT_NEAR(black.l, 0, 1e-12);
  // Published D50 values (Lindbloom, sRGB, Bradford), given to 4 decimals; the ICC matrix's 7 digits
  // move them by less than 0.01.
  const CieLab red = srgb_to_cielab({255, 0, 0});
  EXPECT_NEAR(red.l, 54.2917, 0.01);
  EXPECT_NEAR(red.a, 80.8125, 0.01);
  EXPECT_NEAR(red.b, 69.8851, 0.01);
  const CieLab blue = srgb_to_cielab({0, 0, 255});
  EXPECT_NEAR(blue.l, 29.5676, 0.01);
  EXPECT_NEAR(blue.a, 68.2986, 0.01);
  EXPECT_NEAR(blue.b, -112.0294, 0.01);
  // A mid grey: sRGB 119 is linear 0.18447, L* = 116 * 0.18447^(1/3) - 16 = 50.03 by hand.
  EXPECT_NEAR(srgb_to_cielab({119, 119, 119}).l, 116 * std::cbrt(0.184475) - 16, 0.01);
}

TEST(Palette, DicomScalingOfCieLab) {
  // PS3.3 C.10.7.1.1: L* 0..100 and a*, b* -128..127 onto 0..65535. 128/255 * 65535 = 128 * 257.
  using Lab = std::array<std::uint16_t, 3>;
  EXPECT_EQ(dicom_cielab({100, 0, 0}), (Lab{65535, 32896, 32896}));
  EXPECT_EQ(dicom_cielab({0, -128, 127}), (Lab{0, 0, 65535}));
  EXPECT_EQ(dicom_cielab({50, 0, 0}), (Lab{32768, 32896, 32896}));  // 32767.5 rounds up
  EXPECT_EQ(dicom_cielab({120, -300, 300}), (Lab{65535, 0, 65535}));  // clamped
  // sRGB red: (54.2917 / 100 * 65535, (80.8125 + 128) / 255 * 65535, (69.8851 + 128) / 255 * 65535).
  const Lab red = dicom_cielab(srgb_to_cielab({255, 0, 0}));
  EXPECT_NEAR(red[0], 35580, 7);  // 0.01 L* = 6.6 units
  EXPECT_NEAR(red[1], 53664, 3);  // 0.01 a* = 2.6 units
  EXPECT_NEAR(red[2], 50856, 3);
}

}  // namespace
}  // namespace sbrtkit
