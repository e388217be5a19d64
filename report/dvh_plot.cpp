// The DVH plot of the report, drawn with Cairo: cumulative curves in % volume against dose in Gy.
#include "sbrtkit/report/dvh_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "report/canvas.h"
#include "sbrtkit/palette.h"

namespace sbrtkit {
namespace {

constexpr double kLeftPx = 64, kTopPx = 40, kBottomMarginPx = 52, kLegendWidthPx = 200, kLegendRowPx = 17;

/// 1, 2, 2.5 or 5 x 10^n, the smallest not below raw.
double nice_step(double raw) {
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * decade >= raw * (1 - 1e-12)) return m * decade;
  return 10 * decade;
}

/// Organs at risk are dashed, targets solid. The palette's colours repeat every 9 series; each repeat
/// gets its own dash pattern (dashes, dots, dash-dots), so two curves never share colour and style unless
/// more than 27 organs are plotted.
std::vector<double> oar_dash(std::size_t k, double scale = 1) {
  static const std::vector<std::vector<double>> patterns = {{7, 4}, {2, 3}, {9, 3, 2, 3}};
  std::vector<double> d = patterns[(k / kQualitativePalette.size()) % patterns.size()];
  for (auto& v : d) v *= scale;
  return d;
}

}  // namespace

Rgb dvh_series_colour(std::size_t k) { return qualitative_colour(k); }

DvhPlotFrame dvh_plot_frame(const DvhPlot& plot) {
  DvhPlotFrame f;
  double max_gy = 0;
  for (const auto& s : plot.series)
    for (const auto& p : s.points) max_gy = std::max(max_gy, p.dose_gy);
  for (const auto& m : plot.prescriptions) max_gy = std::max(max_gy, m.dose_gy);
  if (!(max_gy > 0)) max_gy = 1;
  f.dose_tick_gy = nice_step(max_gy / 8);
  f.dose_max_gy = std::ceil(max_gy / f.dose_tick_gy * (1 - 1e-12)) * f.dose_tick_gy;
  f.width_px = plot.width_px;
  f.left_px = kLeftPx;
  f.right_px = plot.width_px - kLegendWidthPx;
  f.top_px = kTopPx;
  f.bottom_px = plot.height_px - kBottomMarginPx;
  f.legend_x_px = f.right_px + 14;
  f.legend_top_px = kTopPx;
  f.legend_row_px = kLegendRowPx;
  const double legend_bottom = kTopPx + kLegendRowPx * double(plot.series.size()) + 10;
  f.height_px = std::max(plot.height_px, legend_bottom);
  return f;
}

Expected<std::string> dvh_png(const DvhPlot& plot) {
  const DvhPlotFrame f = dvh_plot_frame(plot);
  picture::Canvas c(int(std::lround(f.width_px)) * kDvhPixelScale, int(std::lround(f.height_px)) * kDvhPixelScale);
  cairo_scale(c.cr(), kDvhPixelScale, kDvhPixelScale);  // draw in layout pixels
  const Rgb grid{221, 221, 221}, ink{51, 51, 51}, rx{204, 0, 0};
  const int dose_ticks = int(std::lround(f.dose_max_gy / f.dose_tick_gy));
  for (int t = 0; t <= dose_ticks; ++t) c.line(f.x(t * f.dose_tick_gy), f.top_px, f.x(t * f.dose_tick_gy), f.bottom_px, grid);
  for (int v = 0; v <= 100; v += 10) c.line(f.left_px, f.y(v), f.right_px, f.y(v), grid);
  for (int t = 0; t <= dose_ticks; ++t)
    c.text(f.x(t * f.dose_tick_gy), f.bottom_px + 16, fmt::format("{:g}", t * f.dose_tick_gy), 12, ink,
           picture::Align::centre);
  for (int v = 0; v <= 100; v += 20) c.text(f.left_px - 6, f.y(v) + 4, std::to_string(v), 12, ink, picture::Align::right);
  c.stroke_rect(f.left_px, f.top_px, f.right_px - f.left_px, f.bottom_px - f.top_px, ink);
  c.text(0.5 * (f.left_px + f.right_px), f.bottom_px + 38, "Dose [Gy]", 13, ink, picture::Align::centre);
  c.vertical_text(16, 0.5 * (f.top_px + f.bottom_px), "Volume [%]", 13, ink);
  // Prescription lines, labels staggered over two rows so that close doses stay readable.
  for (std::size_t m = 0; m < plot.prescriptions.size(); ++m) {
    const auto& p = plot.prescriptions[m];
    c.line(f.x(p.dose_gy), f.top_px, f.x(p.dose_gy), f.bottom_px, rx, 1, {6, 4});
    c.text(f.x(p.dose_gy), f.top_px - 6 - 13.0 * double(m % 2), p.label, 11, rx, picture::Align::centre);
  }
  // Curves, clipped to the axes.
  cairo_save(c.cr());
  cairo_rectangle(c.cr(), f.left_px, f.top_px - 2, f.right_px - f.left_px, f.bottom_px - f.top_px + 4);
  cairo_clip(c.cr());
  for (std::size_t k = 0; k < plot.series.size(); ++k) {
    const auto& s = plot.series[k];
    std::vector<std::pair<double, double>> points;
    for (const auto& p : s.points) points.emplace_back(f.x(p.dose_gy), f.y(p.volume_cc));
    c.polyline(points, dvh_series_colour(k), s.target ? 2.5 : 1.8, s.target ? std::vector<double>{} : oar_dash(k));
  }
  cairo_restore(c.cr());
  // Legend: each curve's line style and colour, then its name.
  for (std::size_t k = 0; k < plot.series.size(); ++k) {
    const auto& s = plot.series[k];
    const double y = f.legend_y(k);
    c.line(f.legend_x_px, y, f.legend_x_px + 22, y, dvh_series_colour(k), s.target ? 3 : 2,
           s.target ? std::vector<double>{} : oar_dash(k, 0.75));
    c.text(f.legend_x_px + 28, y + 4, s.name, 12, {34, 34, 34});
  }
  return c.png();
}

}  // namespace sbrtkit
