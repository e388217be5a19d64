#pragma once
/// Text on RgbaImage pictures without a font library: a fixed 5 x 7 pixel font (upper case, digits and
/// . , : ; - _ + % ( ) / ? and space), each glyph cell 6 x 8 pixels times `scale`. Lower case is drawn as
/// upper case, '_' in a status name as a space is the caller's choice, anything else as '?'.
///
///   draw_text(picture, 10, 10, "PROGRESSING", {255, 255, 255}, 2);

#include <string_view>

#include "sbrtkit/slice_render.h"

namespace sbrtkit {

inline constexpr int kGlyphWidth = 6, kGlyphHeight = 8;  // cell, including one pixel of spacing

/// Width in pixels of `text` at `scale` (cells times scale; the last cell's spacing included).
int text_width(std::string_view text, int scale = 1);

/// Draws `text` with its top-left corner at (x, y); pixels outside the image are clipped.
void draw_text(RgbaImage& image, int x, int y, std::string_view text, Rgb colour, int scale = 1);

/// One legend row of height `row_height` starting at pixel row `top`: a colour swatch at the left edge and
/// black text after it (scale 1 needs rows of 12 pixels or more, scale 2 of 20).
void draw_legend_row(RgbaImage& image, int top, int row_height, Rgb swatch, std::string_view text, int scale);

}  // namespace sbrtkit
