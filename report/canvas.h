#pragma once
// A Cairo drawing surface for the report's pictures (lesion and response MIPs, the DVH plot): a white
// RGB canvas with DejaVu Sans text (fontconfig's sans-serif when DejaVu is missing), lines, boxes and
// bitmaps, encoded as PNG. Internal to report/; nothing outside this room sees Cairo.
#include <cairo.h>

#include <string>
#include <string_view>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/slice_render.h"

namespace sbrtkit::picture {

enum class Align { left, centre, right };

class Canvas {
 public:
  Canvas(int width, int height);
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  int width() const { return width_; }
  int height() const { return height_; }
  cairo_t* cr() { return cr_; }

  /// Pixels copied 1:1 with their top-left corner at (x, y) (alpha ignored: pictures are opaque).
  void image(const RgbaImage& image, int x, int y);
  void fill_rect(double x, double y, double w, double h, Rgb colour);
  void stroke_rect(double x, double y, double w, double h, Rgb colour, double line_width = 1);
  /// dash: on/off lengths in px, empty for a solid line.
  void line(double x0, double y0, double x1, double y1, Rgb colour, double width = 1,
            const std::vector<double>& dash = {});
  void polyline(const std::vector<std::pair<double, double>>& points, Rgb colour, double width,
                const std::vector<double>& dash = {});
  /// Text with its baseline at y; size in px.
  void text(double x, double y, std::string_view text, double size, Rgb colour, Align align = Align::left,
            bool bold = false);
  double text_width(std::string_view text, double size, bool bold = false);
  /// Ascent of capitals and digits at `size` (for boxes around labels).
  double text_height(double size);
  /// Text rotated a quarter turn counter-clockwise (a y-axis title), centred on (x, y).
  void vertical_text(double x, double y, std::string_view text, double size, Rgb colour);

  Expected<std::string> png();

 private:
  void font(double size, bool bold);
  int width_, height_;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
};

/// A "nice" scale-bar length (10, 20, 50, 100, 200 mm ...) close to a fifth of `picture_mm`.
double scale_bar_mm(double picture_mm);

/// Scale bar of `length_mm` at mm_per_px, its left end at (x, y): a black bar on a white halo, "N mm" above.
void draw_scale_bar(Canvas& c, double x, double y, double length_mm, double mm_per_px);

/// Vertical colour bar of the MIP's grey map (mip_grey) from SUV 0 at the bottom to window_suv at the
/// top, pixel rows exact, with ticks every `tick_suv` and the title "SUV" (+ unit note) above.
void draw_suv_bar(Canvas& c, int x, int y, int w, int h, double window_suv, double tick_suv, std::string_view title);

}  // namespace sbrtkit::picture
