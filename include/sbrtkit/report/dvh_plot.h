#pragma once
/// The DVH plot of the report page, drawn with Cairo as a PNG (embedded base64 in the HTML, so the page
/// stays one self-contained file): cumulative curves in % volume against dose in Gy, one colour per
/// structure from the colour-blind-safe qualitative palette (palette.h), targets solid and thicker,
/// organs at risk dashed (dots and dash-dots once the palette repeats), prescription lines, and a legend
/// with each curve's line style.

#include <string>

#include "sbrtkit/expected.h"
#include "sbrtkit/pipelines/report.h"
#include "sbrtkit/slice_render.h"

namespace sbrtkit {

/// The PNG has kDvhPixelScale device pixels per layout pixel (sharp on high-density screens); the
/// HTML shows it at the layout size.
inline constexpr int kDvhPixelScale = 2;

/// Where data land, in layout pixels: dose 0 .. dose_max_gy maps to x left_px .. right_px, volume
/// 0 .. 100 % maps to y bottom_px .. top_px (y grows downwards). Legend rows start at legend_top_px, one
/// every legend_row_px, their line sample from legend_x_px to legend_x_px + 22.
struct DvhPlotFrame {
  double left_px = 0, right_px = 0, top_px = 0, bottom_px = 0;
  double width_px = 0, height_px = 0;
  double dose_max_gy = 1, dose_tick_gy = 1;
  double legend_x_px = 0, legend_top_px = 0, legend_row_px = 17;
  double x(double dose_gy) const { return left_px + (right_px - left_px) * dose_gy / dose_max_gy; }
  double y(double volume_pct) const { return bottom_px - (bottom_px - top_px) * volume_pct / 100.0; }
  /// Centre line of legend row k.
  double legend_y(std::size_t k) const { return legend_top_px + legend_row_px * double(k) + 8; }
};

/// The frame: dose axis up to the next tick above the largest dose of the curves and markers; the
/// height grows with the legend.
DvhPlotFrame dvh_plot_frame(const DvhPlot& plot);

/// The colour of series k in the plot: qualitative_colour(k) (the structure's RTSTRUCT colour is not
/// used: planning systems' defaults repeat and clash).
Rgb dvh_series_colour(std::size_t k);

/// PNG bytes (width_px x height_px times kDvhPixelScale) with axes, grid, tick labels, axis titles,
/// prescription lines and labels, the curves and the legend. Errors: Cairo's PNG encoder (io).
Expected<std::string> dvh_png(const DvhPlot& plot);

}  // namespace sbrtkit
