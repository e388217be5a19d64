#pragma once
/// The DVH plot of the report page as an inline SVG element.

#include <string>

#include "sbrtkit/pipelines/report.h"

namespace sbrtkit {

/// Where data land in the SVG: dose 0 .. dose_max_gy maps to x left_px .. right_px, volume 0 .. 100 %
/// maps to y bottom_px .. top_px (SVG y grows downwards).
struct DvhPlotFrame {
  double left_px = 0, right_px = 0, top_px = 0, bottom_px = 0;
  double width_px = 0, height_px = 0;
  double dose_max_gy = 1, dose_tick_gy = 1;
  double x(double dose_gy) const { return left_px + (right_px - left_px) * dose_gy / dose_max_gy; }
  double y(double volume_pct) const { return bottom_px - (bottom_px - top_px) * volume_pct / 100.0; }
};

/// The frame: dose axis up to the next tick above the largest dose of the curves and markers.
DvhPlotFrame dvh_plot_frame(const DvhPlot& plot);
/// `<svg>` element with axes, grid, tick labels, axis titles, prescription lines, one polyline per
/// series (coordinates with 2 decimals) and a legend.
std::string dvh_svg(const DvhPlot& plot);

}  // namespace sbrtkit
