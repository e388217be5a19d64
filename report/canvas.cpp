#include "report/canvas.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sbrtkit/coronal_mip.h"

namespace sbrtkit::picture {
namespace {

void source(cairo_t* cr, Rgb c) { cairo_set_source_rgb(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0); }

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

Canvas::Canvas(int width, int height) : width_(width), height_(height) {
  surface_ = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  cr_ = cairo_create(surface_);
  cairo_set_source_rgb(cr_, 1, 1, 1);
  cairo_paint(cr_);
}

Canvas::~Canvas() {
  cairo_destroy(cr_);
  cairo_surface_destroy(surface_);
}

void Canvas::image(const RgbaImage& image, int x0, int y0) {
  cairo_surface_flush(surface_);
  unsigned char* data = cairo_image_surface_get_data(surface_);
  const int stride = cairo_image_surface_get_stride(surface_);
  for (int y = 0; y < image.height; ++y) {
    if (y0 + y < 0 || y0 + y >= height_) continue;
    auto* row = reinterpret_cast<std::uint32_t*>(data + std::size_t(y0 + y) * std::size_t(stride));
    for (int x = 0; x < image.width; ++x) {
      if (x0 + x < 0 || x0 + x >= width_) continue;
      const std::uint8_t* p = image.pixel(x, y);
      row[x0 + x] = (std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | std::uint32_t(p[2]);  // RGB24
    }
  }
  cairo_surface_mark_dirty(surface_);
}

void Canvas::fill_rect(double x, double y, double w, double h, Rgb colour) {
  source(cr_, colour);
  cairo_rectangle(cr_, x, y, w, h);
  cairo_fill(cr_);
}

void Canvas::stroke_rect(double x, double y, double w, double h, Rgb colour, double line_width) {
  source(cr_, colour);
  cairo_set_line_width(cr_, line_width);
  cairo_set_dash(cr_, nullptr, 0, 0);
  cairo_rectangle(cr_, x, y, w, h);
  cairo_stroke(cr_);
}

void Canvas::polyline(const std::vector<std::pair<double, double>>& points, Rgb colour, double width,
                      const std::vector<double>& dash) {
  if (points.size() < 2) return;
  source(cr_, colour);
  cairo_set_line_width(cr_, width);
  cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
  cairo_set_dash(cr_, dash.empty() ? nullptr : dash.data(), int(dash.size()), 0);
  cairo_move_to(cr_, points.front().first, points.front().second);
  for (std::size_t n = 1; n < points.size(); ++n) cairo_line_to(cr_, points[n].first, points[n].second);
  cairo_stroke(cr_);
  cairo_set_dash(cr_, nullptr, 0, 0);
}

void Canvas::line(double x0, double y0, double x1, double y1, Rgb colour, double width, const std::vector<double>& dash) {
  polyline({{x0, y0}, {x1, y1}}, colour, width, dash);
}

void Canvas::font(double size, bool bold) {
  cairo_select_font_face(cr_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr_, size);
}

double Canvas::text_width(std::string_view text, double size, bool bold) {
  font(size, bold);
  const std::string s(text);
  cairo_text_extents_t e;
  cairo_text_extents(cr_, s.c_str(), &e);
  return e.x_advance;
}

double Canvas::text_height(double size) {
  font(size, false);
  cairo_text_extents_t e;
  cairo_text_extents(cr_, "0H", &e);
  return -e.y_bearing;
}

void Canvas::text(double x, double y, std::string_view text, double size, Rgb colour, Align align, bool bold) {
  const double w = text_width(text, size, bold);
  const double left = align == Align::left ? x : align == Align::centre ? x - 0.5 * w : x - w;
  source(cr_, colour);
  cairo_move_to(cr_, left, y);
  const std::string s(text);
  cairo_show_text(cr_, s.c_str());
}

void Canvas::vertical_text(double x, double y, std::string_view text, double size, Rgb colour) {
  const double w = text_width(text, size);
  cairo_save(cr_);
  cairo_translate(cr_, x, y);
  cairo_rotate(cr_, -M_PI / 2);
  source(cr_, colour);
  cairo_move_to(cr_, -0.5 * w, 0.35 * size);
  const std::string s(text);
  cairo_show_text(cr_, s.c_str());
  cairo_restore(cr_);
}

Expected<std::string> Canvas::png() {
  cairo_surface_flush(surface_);
  std::string bytes;
  const cairo_status_t st = cairo_surface_write_to_png_stream(surface_, append_to_string, &bytes);
  if (st != CAIRO_STATUS_SUCCESS) return Error::io("PNG picture", std::string("Cairo: ") + cairo_status_to_string(st));
  return bytes;
}

double scale_bar_mm(double picture_mm) {
  double best = 10;
  for (double decade = 1; decade <= 10000; decade *= 10)
    for (double m : {1.0, 2.0, 5.0})
      if (m * decade <= picture_mm / 4) best = m * decade;
  return best;
}

void draw_scale_bar(Canvas& c, double x, double y, double length_mm, double mm_per_px) {
  const double len = length_mm / mm_per_px;
  const std::string label = fmt::format("{:g} mm", length_mm);
  c.fill_rect(x - 3, y - 20, std::max(len, c.text_width(label, 12)) + 6, 28, {255, 255, 255});
  c.fill_rect(x, y, len, 4, {0, 0, 0});
  c.line(x, y - 3, x, y + 4, {0, 0, 0}, 1);
  c.line(x + len, y - 3, x + len, y + 4, {0, 0, 0}, 1);
  c.text(x, y - 6, label, 12, {0, 0, 0});
}

void draw_suv_bar(Canvas& c, int x, int y, int w, int h, double window_suv, double tick_suv, std::string_view title) {
  // Row r (0 = top) shows the SUV at its centre, window_suv at the top to 0 at the bottom.
  RgbaImage bar(w, h);
  for (int r = 0; r < h; ++r) {
    const std::uint8_t g = mip_grey(window_suv * (1.0 - (r + 0.5) / h), window_suv);
    for (int q = 0; q < w; ++q) {
      std::uint8_t* p = bar.pixel(q, r);
      p[0] = p[1] = p[2] = g;
      p[3] = 255;
    }
  }
  c.image(bar, x, y);
  c.stroke_rect(x - 0.5, y - 0.5, w + 1, h + 1, {0, 0, 0});
  for (double s = 0; s <= window_suv + 1e-9; s += tick_suv) {
    const double ty = y + h * (1.0 - s / window_suv);
    c.line(x + w, ty, x + w + 5, ty, {0, 0, 0}, 1);
    c.text(x + w + 8, ty + 4, s >= window_suv - 1e-9 ? fmt::format("\u2265{:g}", s) : fmt::format("{:g}", s), 12,
           {0, 0, 0});
  }
  c.text(x + w / 2.0, y - 10, title, 12, {0, 0, 0}, Align::centre, true);
}

}  // namespace sbrtkit::picture
