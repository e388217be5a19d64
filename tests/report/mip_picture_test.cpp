// The MIP picture as decoded from its PNG: the colour bar's rows follow the MIP's grey map, each lesion's
// ID box sits near its lesion in its colour, boxes never overlap, the MIP is copied pixel for pixel, and
// title and legend carry text.
#include "report/mip_picture.h"

#include <gtest/gtest.h>

#include "sbrtkit/palette.h"
#include "support/decoded_png.h"

namespace sbrtkit {
namespace {

/// A 120 x 1 x 80 voxel PET of 2 mm with SUV rising linearly left to right (0 .. 12), and six lesions
/// crowded into a 10 x 10 mm square, so their labels must move apart.
picture::MipPictureInput crowded() {
  const ImageGeometry g({120, 1, 80}, PatientPoint{0, 0, 0}, Vec3{2, 2, 2}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  Volume<float> suv(g);
  for (std::int64_t k = 0; k < 80; ++k)
    for (std::int64_t i = 0; i < 120; ++i) suv.at(i, 0, k) = float(12.0 * double(i) / 119);
  std::vector<std::uint8_t> labels(suv.voxels.size(), 0);
  picture::MipPictureInput in;
  in.title = {"DOE^JANE (MRN42)   PET 2024-01-08", "coronal MIP; frame 1.2.3"};
  in.mip = coronal_mip(suv, labels, 10, [](std::uint8_t id) { return lesion_colour(id); });
  for (int n = 0; n < 6; ++n) {
    const auto [px, py] = in.mip.pixel_of(30 + (n % 3) * 2, 40 + (n / 3) * 2);
    in.labels.push_back({double(px), double(py), std::to_string(n + 1), lesion_colour(n + 1)});
    in.legend.push_back({lesion_colour(n + 1), "lesion " + std::to_string(n + 1)});
  }
  return in;
}

TEST(MipPicture, ColourBarFollowsTheGreyMap) {
  const auto in = crowded();
  auto pic = picture::draw_mip_picture(in);
  ASSERT_TRUE(pic) << pic.error().message();
  const auto png = testing::decode_png(pic->png);
  const auto& l = pic->layout;
  ASSERT_EQ(png.width, l.width);
  ASSERT_EQ(png.height, l.height);
  // Row r of the bar shows SUV window * (1 - (r + 0.5) / h): grey 255 x (1 - suv / 10), exactly, across
  // the bar's width.
  for (int r = 0; r < l.bar_h; r += 7)
    for (int q = 0; q < l.bar_w; q += 5) {
      const double suv = 10.0 * (1.0 - (r + 0.5) / l.bar_h);
      const auto expected = std::uint8_t(255.0 * (1.0 - suv / 10.0));
      const std::uint8_t* p = png.at(l.bar_x + q, l.bar_y + r);
      ASSERT_EQ(p[0], expected) << "row " << r;
      ASSERT_EQ(p[1], expected);
      ASSERT_EQ(p[2], expected);
    }
  // Top black (SUV >= 10), bottom near white (SUV ~0).
  EXPECT_LT(png.at(l.bar_x + 4, l.bar_y)[0], 3);
  EXPECT_GT(png.at(l.bar_x + 4, l.bar_y + l.bar_h - 1)[0], 250);
}

TEST(MipPicture, MipCopiedAndLabelsNearTheirLesionsApart) {
  const auto in = crowded();
  auto pic = picture::draw_mip_picture(in);
  ASSERT_TRUE(pic);
  const auto png = testing::decode_png(pic->png);
  const auto& l = pic->layout;
  // A MIP pixel away from labels, letters and scale bar is copied unchanged: row 100, columns along the
  // SUV ramp (the MIP's own colours).
  for (int x = 150; x < in.mip.image.width - 30; x += 17) {
    const std::uint8_t* p = png.at(l.mip_x + x, l.mip_y + 100);
    EXPECT_EQ(p[0], in.mip.image.pixel(x, 100)[0]) << x;
  }
  ASSERT_EQ(l.labels.size(), in.labels.size());
  for (std::size_t a = 0; a < l.labels.size(); ++a) {
    const LabelBox& b = l.labels[a].box;
    const double ax = l.mip_x + in.labels[a].px, ay = l.mip_y + in.labels[a].py;
    // Near its lesion: within the third ring (20 px) for six labels in a 10 px square.
    EXPECT_LE(b.distance_to(ax, ay), 34) << a;
    EXPECT_FALSE(l.labels[a].overlapping) << a;
    for (std::size_t c = a + 1; c < l.labels.size(); ++c) EXPECT_FALSE(b.overlaps(l.labels[c].box)) << a << " " << c;
    // The box's border is drawn in the lesion's colour: its left edge, 1.5 px in, mid-height.
    const std::uint8_t* p = png.at(int(b.x + 1.5), int(b.y + b.height / 2));
    const Rgb c = in.labels[a].colour;
    EXPECT_NEAR(p[0], c.r, 30) << a;
    EXPECT_NEAR(p[1], c.g, 30) << a;
    EXPECT_NEAR(p[2], c.b, 30) << a;
    // Its ID is dark text inside.
    int dark = 0;
    for (int y = int(b.y + 3); y < int(b.y + b.height - 3); ++y)
      for (int x = int(b.x + 3); x < int(b.x + b.width - 3); ++x) dark += png.at(x, y)[0] < 90;
    EXPECT_GT(dark, 5) << a;
  }
  // Title and every legend row carry text (dark pixels right of the swatch).
  for (std::size_t r = 0; r < in.legend.size(); ++r) {
    int dark = 0;
    for (int y = l.legend_y + int(r) * l.legend_row_px; y < l.legend_y + int(r + 1) * l.legend_row_px; ++y)
      for (int x = 30; x < l.width; ++x) dark += png.at(x, y)[0] < 90;
    EXPECT_GT(dark, 20) << "legend row " << r;
    // The swatch in the lesion colour.
    const std::uint8_t* p = png.at(16, l.legend_y + int(r) * l.legend_row_px + 9);
    EXPECT_EQ(p[0], in.legend[r].colour.r) << r;
  }
  int title_dark = 0;
  for (int y = 0; y < l.mip_y - 4; ++y)
    for (int x = 0; x < l.width; ++x) title_dark += png.at(x, y)[0] < 90;
  EXPECT_GT(title_dark, 200);
  // The scale bar: a nice length about a fifth of the 240 mm picture.
  EXPECT_DOUBLE_EQ(l.scale_bar_mm, 50);
}

TEST(MipPicture, DisplayDate) {
  EXPECT_EQ(picture::display_date("20240108"), "2024-01-08");
  EXPECT_EQ(picture::display_date(""), "date unknown");
  EXPECT_EQ(picture::display_date("2024"), "2024");
}

}  // namespace
}  // namespace sbrtkit
