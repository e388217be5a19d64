// The DVH plot of the report as inline SVG: cumulative curves in % volume against dose in Gy.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "report/html_text.h"
#include "sbrtkit/report/dvh_svg.h"

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

std::string colour_css(Rgb c) { return fmt::format("rgb({},{},{})", c.r, c.g, c.b); }

}  // namespace

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
  const double legend_bottom = kTopPx + kLegendRowPx * double(plot.series.size()) + 10;
  f.height_px = std::max(plot.height_px, legend_bottom);
  return f;
}

std::string dvh_svg(const DvhPlot& plot) {
  const DvhPlotFrame f = dvh_plot_frame(plot);
  std::string s;
  s += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dvh-plot\" width=\"{0:.0f}\" height=\"{1:.0f}\" "
      "viewBox=\"0 0 {0:.0f} {1:.0f}\" role=\"img\" aria-label=\"Cumulative dose-volume histograms\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n",
      f.width_px, f.height_px);
  s += fmt::format("<rect x=\"0\" y=\"0\" width=\"{:.0f}\" height=\"{:.0f}\" fill=\"#fff\"/>\n", f.width_px, f.height_px);
  // Grid and tick labels.
  s += "<g class=\"grid\" stroke=\"#ddd\" stroke-width=\"1\">\n";
  const int dose_ticks = int(std::lround(f.dose_max_gy / f.dose_tick_gy));
  for (int t = 0; t <= dose_ticks; ++t) {
    const double x = f.x(t * f.dose_tick_gy);
    s += fmt::format("<line x1=\"{0:.2f}\" y1=\"{1:.2f}\" x2=\"{0:.2f}\" y2=\"{2:.2f}\"/>\n", x, f.top_px, f.bottom_px);
  }
  for (int v = 0; v <= 100; v += 10) {
    const double y = f.y(v);
    s += fmt::format("<line x1=\"{0:.2f}\" y1=\"{1:.2f}\" x2=\"{2:.2f}\" y2=\"{1:.2f}\"/>\n", f.left_px, y, f.right_px);
  }
  s += "</g>\n<g class=\"ticks\" fill=\"#333\">\n";
  for (int t = 0; t <= dose_ticks; ++t)
    s += fmt::format("<text x=\"{:.2f}\" y=\"{:.2f}\" text-anchor=\"middle\">{:g}</text>\n", f.x(t * f.dose_tick_gy),
                     f.bottom_px + 16, t * f.dose_tick_gy);
  for (int v = 0; v <= 100; v += 20)
    s += fmt::format("<text x=\"{:.2f}\" y=\"{:.2f}\" text-anchor=\"end\">{}</text>\n", f.left_px - 6, f.y(v) + 4, v);
  s += "</g>\n";
  s += fmt::format("<rect x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\" fill=\"none\" stroke=\"#333\"/>\n",
                   f.left_px, f.top_px, f.right_px - f.left_px, f.bottom_px - f.top_px);
  s += fmt::format("<text class=\"axis-title\" x=\"{:.2f}\" y=\"{:.2f}\" text-anchor=\"middle\">Dose [Gy]</text>\n",
                   0.5 * (f.left_px + f.right_px), f.bottom_px + 38);
  s += fmt::format(
      "<text class=\"axis-title\" x=\"16\" y=\"{0:.2f}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {0:.2f})\">"
      "Volume [%]</text>\n",
      0.5 * (f.top_px + f.bottom_px));
  // Prescription lines, labels staggered over two rows so that close doses stay readable.
  for (std::size_t m = 0; m < plot.prescriptions.size(); ++m) {
    const auto& rx = plot.prescriptions[m];
    const double x = f.x(rx.dose_gy);
    s += fmt::format(
        "<line class=\"rx-line\" x1=\"{0:.2f}\" y1=\"{1:.2f}\" x2=\"{0:.2f}\" y2=\"{2:.2f}\" stroke=\"#c00\" "
        "stroke-width=\"1\" stroke-dasharray=\"6 4\"/>\n",
        x, f.top_px, f.bottom_px);
    s += fmt::format("<text x=\"{:.2f}\" y=\"{:.2f}\" text-anchor=\"middle\" fill=\"#c00\" font-size=\"11\">{}</text>\n",
                     x, f.top_px - 6 - 13.0 * double(m % 2), html_escape(rx.label));
  }
  // Curves.
  s += "<g class=\"curves\" fill=\"none\" stroke-linejoin=\"round\">\n";
  for (const auto& series : plot.series) {
    s += fmt::format("<polyline class=\"dvh-curve\" data-name=\"{}\" stroke=\"{}\" stroke-width=\"{}\" points=\"",
                     html_escape(series.name), colour_css(series.colour), series.target ? "2.5" : "1.5");
    bool first = true;
    for (const auto& p : series.points) {
      s += fmt::format("{}{:.2f},{:.2f}", first ? "" : " ", f.x(p.dose_gy), f.y(p.volume_cc));
      first = false;
    }
    s += fmt::format("\"><title>{}</title></polyline>\n", html_escape(series.name));
  }
  s += "</g>\n<g class=\"legend\">\n";
  for (std::size_t k = 0; k < plot.series.size(); ++k) {
    const double y = f.top_px + kLegendRowPx * double(k) + 8;
    const auto& series = plot.series[k];
    s += fmt::format("<line x1=\"{:.2f}\" y1=\"{:.2f}\" x2=\"{:.2f}\" y2=\"{:.2f}\" stroke=\"{}\" stroke-width=\"{}\"/>",
                     f.right_px + 14, y, f.right_px + 36, y, colour_css(series.colour), series.target ? "3" : "2");
    s += fmt::format("<text x=\"{:.2f}\" y=\"{:.2f}\" fill=\"#222\">{}</text>\n", f.right_px + 42, y + 4,
                     html_escape(series.name));
  }
  s += "</g>\n</svg>\n";
  return s;
}

}  // namespace sbrtkit
