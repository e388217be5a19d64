// Building blocks of the HTML report: the DVH plot's data-to-pixel mapping and its decoded picture, base64 (RFC 4648 vectors),
// HTML escaping and the PNG adapter's header.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <regex>

#include "io/png_writer.h"
#include "report/html_text.h"
#include "sbrtkit/report/dvh_plot.h"
#include "sbrtkit/palette.h"
#include "support/decoded_png.h"

namespace sbrtkit {
namespace {

DvhPlot two_curves() {
  DvhPlot plot;
  // A target: 100 % up to 28 Gy, falling linearly to 0 % at 36 Gy.
  plot.series.push_back({"PTV_L3", Rgb{255, 0, 0}, true, {{0, 100}, {28, 100}, {36, 0}}});
  plot.series.push_back({"Cord <&> \"x\"", Rgb{0, 128, 255}, false, {{0, 100}, {5, 50}, {12, 0}}});
  plot.prescriptions.push_back({"Rx 30 Gy", 30});
  return plot;
}

TEST(DvhPlotFrame, AxesCoverTheDataWithNiceTicks) {
  const DvhPlot plot = two_curves();
  const DvhPlotFrame f = dvh_plot_frame(plot);
  // Largest dose 36 Gy: raw tick 36/8 = 4.5 -> 5 Gy; axis to the next tick, 40 Gy.
  EXPECT_DOUBLE_EQ(f.dose_tick_gy, 5);
  EXPECT_DOUBLE_EQ(f.dose_max_gy, 40);
  EXPECT_DOUBLE_EQ(f.x(0), f.left_px);
  EXPECT_DOUBLE_EQ(f.x(40), f.right_px);
  EXPECT_DOUBLE_EQ(f.y(0), f.bottom_px);
  EXPECT_DOUBLE_EQ(f.y(100), f.top_px);
  EXPECT_LT(f.left_px, f.right_px);
  EXPECT_LT(f.top_px, f.bottom_px);
  EXPECT_LE(f.right_px, f.width_px);
  EXPECT_LE(f.bottom_px, f.height_px);
  // A dose exactly on a tick does not get an extra tick.
  DvhPlot exact;
  exact.series.push_back({"A", {}, false, {{0, 100}, {40, 0}}});
  EXPECT_DOUBLE_EQ(dvh_plot_frame(exact).dose_max_gy, 40);
  // Nothing to plot: a unit axis, no division by zero.
  EXPECT_DOUBLE_EQ(dvh_plot_frame(DvhPlot{}).dose_max_gy, 1);
}

/// Any pixel within `r` device pixels of layout point (x, y) has colour c (to 40 per channel: the curve's
/// antialiased edge blends with white and the grid).
bool colour_near(const testing::DecodedPng& png, double x, double y, Rgb c, int r = 3) {
  const int cx = int(std::lround(x * kDvhPixelScale)), cy = int(std::lround(y * kDvhPixelScale));
  for (int dy = -r; dy <= r; ++dy)
    for (int dx = -r; dx <= r; ++dx) {
      const int px = cx + dx, py = cy + dy;
      if (px < 0 || py < 0 || px >= png.width || py >= png.height) continue;
      const std::uint8_t* p = png.at(px, py);
      if (std::abs(p[0] - c.r) <= 40 && std::abs(p[1] - c.g) <= 40 && std::abs(p[2] - c.b) <= 40) return true;
    }
  return false;
}

TEST(DvhPlot, CurvesLandOnTheirPixelsInPaletteColours) {
  const DvhPlot plot = two_curves();
  const DvhPlotFrame f = dvh_plot_frame(plot);
  auto bytes = dvh_png(plot);
  ASSERT_TRUE(bytes);
  const auto png = testing::decode_png(*bytes);
  ASSERT_EQ(png.width, int(f.width_px) * kDvhPixelScale);
  ASSERT_EQ(png.height, int(f.height_px) * kDvhPixelScale);
  // The target (solid, palette colour 0): on its plateau at 100 % from 0 to 28 Gy, at every point, and on
  // its fall at (32 Gy, 50 %); nowhere at (14 Gy, 50 %).
  const Rgb target = dvh_series_colour(0), cord = dvh_series_colour(1);
  EXPECT_EQ(target, qualitative_colour(0));
  for (double d = 1; d <= 27; d += 2) EXPECT_TRUE(colour_near(png, f.x(d), f.y(100), target, 1)) << d << " Gy";
  EXPECT_TRUE(colour_near(png, f.x(32), f.y(50), target));
  EXPECT_FALSE(colour_near(png, f.x(14), f.y(50), target));
  // The cord (dashed, colour 1): 100 % -> 50 % at 5 Gy -> 0 at 12 Gy. A dash of 7 px and a gap of 4 px
  // along the line: of points sampled densely along it, most carry the colour and some do not.
  int on = 0, off = 0;
  for (double d = 0.2; d < 4.8; d += 0.05) (colour_near(png, f.x(d), f.y(100 - 10 * d), cord, 1) ? on : off)++;
  EXPECT_GT(on, 2 * off) << on << " " << off;  // 7 on / 4 off, minus antialiasing at the dash ends
  EXPECT_GT(off, 0);                            // dashed, not solid
  EXPECT_TRUE(colour_near(png, f.x(5), f.y(50), cord, 4));
  // The prescription line at 30 Gy (red, dashed), somewhere on its height.
  bool rx = false;
  for (double v = 5; v < 95; v += 1) rx = rx || colour_near(png, f.x(30), f.y(v), Rgb{204, 0, 0}, 1);
  EXPECT_TRUE(rx);
  // Legend: row k's line sample in the series colour, solid for the target (its middle is on), dashed
  // for the cord.
  EXPECT_TRUE(colour_near(png, f.legend_x_px + 11, f.legend_y(0), target, 1));
  EXPECT_TRUE(colour_near(png, f.legend_x_px + 2, f.legend_y(1), cord, 1));
  // Legend names and tick labels are dark text right of the sample: some dark pixels there.
  int dark = 0;
  for (int y = int((f.legend_y(1) - 8) * kDvhPixelScale); y < int((f.legend_y(1) + 6) * kDvhPixelScale); ++y)
    for (int x = int((f.legend_x_px + 28) * kDvhPixelScale); x < png.width; ++x) dark += png.at(x, y)[0] < 100;
  EXPECT_GT(dark, 30);
}

TEST(DvhPlot, LegendGrowsThePlotForManyStructures) {
  DvhPlot plot;
  for (int k = 0; k < 40; ++k) plot.series.push_back({fmt::format("S{}", k), {}, false, {{0, 100}, {10, 0}}});
  const DvhPlotFrame f = dvh_plot_frame(plot);
  EXPECT_GT(f.height_px, plot.height_px);  // 40 rows of 17 px do not fit in 440 px
  auto bytes = dvh_png(plot);
  ASSERT_TRUE(bytes);
  const auto png = testing::decode_png(*bytes);
  EXPECT_EQ(png.height, int(f.height_px) * kDvhPixelScale);
  // The 40th row's sample is drawn, in palette colour 39 % 9 (its pattern, dots, starts with a dot).
  EXPECT_TRUE(colour_near(png, f.legend_x_px + 0.7, f.legend_y(39), qualitative_colour(39), 1));
}

TEST(Base64, Rfc4648TestVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(HtmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(html_escape("PTV <5cc> & \"it's\""), "PTV &lt;5cc&gt; &amp; &quot;it&#39;s&quot;");
  EXPECT_EQ(html_escape("plain"), "plain");
}

TEST(EncodePng, WritesSignatureAndDimensions) {
  RgbaImage image(7, 3);
  for (std::size_t p = 0; p < image.rgba.size(); ++p) image.rgba[p] = std::uint8_t(p * 37);
  auto png = encode_png(image);
  ASSERT_TRUE(png) << png.error().message();
  ASSERT_GT(png->size(), 33u);
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png->substr(12, 4), "IHDR");
  auto be32 = [&](std::size_t at) {
    return (unsigned(std::uint8_t((*png)[at])) << 24) | (unsigned(std::uint8_t((*png)[at + 1])) << 16) |
           (unsigned(std::uint8_t((*png)[at + 2])) << 8) | unsigned(std::uint8_t((*png)[at + 3]));
  };
  EXPECT_EQ(be32(16), 7u);
  EXPECT_EQ(be32(20), 3u);
  EXPECT_EQ(int((*png)[24]), 8);  // bit depth
  EXPECT_EQ(int((*png)[25]), 2);  // colour type RGB
  EXPECT_EQ(png->substr(png->size() - 8, 4), "IEND");
  EXPECT_FALSE(encode_png(RgbaImage{}));
}

}  // namespace
}  // namespace sbrtkit
