// The 5 x 7 font: glyph bits land on the right pixels, scaling repeats them, clipping is safe.
#include "sbrtkit/bitmap_text.h"

#include <gtest/gtest.h>

namespace sbrtkit {
namespace {

int lit(const RgbaImage& img) {
  int n = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) n += img.pixel(x, y)[3] == 255;
  return n;
}

TEST(BitmapText, GlyphBitsScaleAndClip) {
  // 'L': the left column (7 pixels) and the bottom row (5, one shared): 11 pixels.
  RgbaImage img(20, 20);
  draw_text(img, 2, 3, "L", {255, 0, 0});
  EXPECT_EQ(lit(img), 11);
  for (int row = 0; row < 7; ++row) EXPECT_EQ(img.pixel(2, 3 + row)[0], 255);
  EXPECT_EQ(img.pixel(6, 9)[3], 255);   // bottom-right of the L
  EXPECT_EQ(img.pixel(6, 8)[3], 0);     // just above it: empty
  // Scale 2: every pixel becomes 2 x 2.
  RgbaImage big(40, 40);
  draw_text(big, 0, 0, "l", {0, 0, 255}, 2);  // lower case is drawn as upper case
  EXPECT_EQ(lit(big), 44);
  // Width: cells of 6 pixels times the scale; unknown characters are drawn as '?' (9 pixels).
  EXPECT_EQ(text_width("ABC", 2), 36);
  RgbaImage q(10, 10);
  draw_text(q, 0, 0, "~", {1, 2, 3});
  EXPECT_EQ(lit(q), 9);
  // Partly outside the image: clipped, no crash.
  RgbaImage small(3, 3);
  draw_text(small, -2, -2, "MW", {9, 9, 9}, 3);
  EXPECT_GT(lit(small), 0);
}

TEST(BitmapText, LegendRowHasItsSwatchAndText) {
  RgbaImage img(100, 20);
  draw_legend_row(img, 0, 20, {10, 200, 30}, "NEW", 2);
  EXPECT_EQ(img.rgb(6, 2), (Rgb{10, 200, 30}));    // swatch: 16 x 16 from (6, 2)
  EXPECT_EQ(img.rgb(21, 17), (Rgb{10, 200, 30}));
  EXPECT_EQ(img.pixel(22, 10)[3], 0);               // gap before the text
  int black = 0;
  for (int y = 0; y < 20; ++y)
    for (int x = 30; x < 100; ++x) black += img.pixel(x, y)[3] == 255 && img.rgb(x, y) == (Rgb{0, 0, 0});
  EXPECT_GT(black, 40);  // "NEW" at scale 2
}

}  // namespace
}  // namespace sbrtkit
