// Building blocks of the HTML report: the SVG DVH's data-to-pixel mapping, base64 (RFC 4648 vectors),
// HTML escaping and the PNG adapter's header.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <regex>

#include "io/png_writer.h"
#include "report/html_text.h"
#include "sbrtkit/report/dvh_svg.h"

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

TEST(DvhSvg, PointsLandOnTheirPixels) {
  const DvhPlot plot = two_curves();
  const DvhPlotFrame f = dvh_plot_frame(plot);
  const std::string svg = dvh_svg(plot);
  // Hand-computed positions: x = left + (right - left) * dose / 40, y = bottom - (bottom - top) * v / 100.
  const double w = f.right_px - f.left_px, h = f.bottom_px - f.top_px;
  const std::string target_points =
      fmt::format("points=\"{:.2f},{:.2f} {:.2f},{:.2f} {:.2f},{:.2f}\"", f.left_px, f.top_px, f.left_px + w * 28 / 40,
                  f.top_px, f.left_px + w * 36 / 40, f.bottom_px);
  EXPECT_NE(svg.find(target_points), std::string::npos) << target_points << "\n" << svg;
  const std::string cord_mid = fmt::format("{:.2f},{:.2f}", f.left_px + w * 5 / 40, f.bottom_px - h * 0.5);
  EXPECT_NE(svg.find(cord_mid), std::string::npos) << cord_mid;
  // The prescription line at 30 Gy, full height.
  const std::string rx = fmt::format("x1=\"{0:.2f}\" y1=\"{1:.2f}\" x2=\"{0:.2f}\" y2=\"{2:.2f}\"", f.left_px + w * 30 / 40,
                                     f.top_px, f.bottom_px);
  EXPECT_NE(svg.find("class=\"rx-line\" " + rx), std::string::npos) << rx;
  // Colours from the structures, escaped names, axis titles, one polyline per series.
  EXPECT_NE(svg.find("stroke=\"rgb(255,0,0)\""), std::string::npos);
  EXPECT_NE(svg.find("stroke=\"rgb(0,128,255)\""), std::string::npos);
  EXPECT_NE(svg.find("Cord &lt;&amp;&gt; &quot;x&quot;"), std::string::npos);
  EXPECT_EQ(svg.find("Cord <&>"), std::string::npos);
  EXPECT_NE(svg.find("Dose [Gy]"), std::string::npos);
  EXPECT_NE(svg.find("Volume [%]"), std::string::npos);
  const std::regex polyline("<polyline class=\"dvh-curve\"");
  EXPECT_EQ(std::distance(std::sregex_iterator(svg.begin(), svg.end(), polyline), std::sregex_iterator()), 2);
  // Tick labels every 5 Gy to 40.
  for (int d = 0; d <= 40; d += 5) EXPECT_NE(svg.find(fmt::format(">{}</text>", d)), std::string::npos) << d;
}

TEST(DvhSvg, LegendGrowsThePlotForManyStructures) {
  DvhPlot plot;
  for (int k = 0; k < 40; ++k) plot.series.push_back({fmt::format("S{}", k), {}, false, {{0, 100}, {10, 0}}});
  const DvhPlotFrame f = dvh_plot_frame(plot);
  EXPECT_GT(f.height_px, plot.height_px);  // 40 rows of 17 px do not fit in 440 px
  const std::string svg = dvh_svg(plot);
  EXPECT_NE(svg.find(fmt::format("height=\"{:.0f}\"", f.height_px)), std::string::npos);
  EXPECT_NE(svg.find(">S39</text>"), std::string::npos);
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
