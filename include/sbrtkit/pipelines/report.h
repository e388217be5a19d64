#pragma once
/// `sbrtkit report`: one self-contained HTML page per plan for a physicist to read offline. Header
/// (patient, plan, prescriptions, fractions, protocol and verdict), a DVH plot as inline SVG, the
/// protocol's constraint table coloured by result (with --protocol), a DVH metrics table, and for each
/// target axial, coronal and sagittal slices through its centre (CT, dose wash, isodoses, outlines)
/// embedded as PNG data URIs. No scripts, no fonts, no network.
///
///   ReportRequest request;
///   request.directory = "patient/planning";
///   request.protocol = "tg101-3fx";
///   auto report = run_report(request);      // report->html, report->verdict

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sbrtkit/dvh.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/protocol.h"
#include "sbrtkit/slice_render.h"

namespace sbrtkit {

struct ReportRequest {
  std::optional<std::filesystem::path> directory;  // plan folder (indexed), or the explicit files below
  std::optional<std::string> plan_uid;
  std::optional<std::filesystem::path> rtstruct, rtdose, rtplan;
  std::optional<std::filesystem::path> ct_directory;  // CT for explicit files (folder mode finds it)
  std::optional<double> rx_gy;
  std::optional<int> fractions;
  std::optional<std::string> protocol;  // bundled id or YAML file: adds the constraint table and verdict
  double window_width_hu = 400, window_level_hu = 40;
  double wash_threshold_pct = 10;  // of the target's Rx: the wash is transparent below
  int slice_pixels = 320;          // width and height of each slice picture
};

struct ReportResult {
  std::string html;
  std::optional<ComplianceLevel> verdict;  // with a protocol
  std::vector<std::string> warnings;
};

/// Reads the plan, computes DVHs (and the protocol check), renders the slices and writes the page.
/// Errors are those of the inputs (unreadable files, plan selection, protocol loading).
Expected<ReportResult> run_report(const ReportRequest& request);

// ---- Building blocks, exposed for tests ----

/// One curve of the DVH plot: cumulative volume in % of the structure's covered volume.
struct DvhPlotSeries {
  std::string name;
  Rgb colour;
  bool target = false;  // drawn thicker
  std::vector<Dvh::Point> points;  // dose_gy ascending; volume_cc holds the volume in %
};

struct DvhPlotMarker {
  std::string label;  // "Rx PTV_L3 30 Gy"
  double dose_gy = 0;
};

struct DvhPlot {
  std::vector<DvhPlotSeries> series;
  std::vector<DvhPlotMarker> prescriptions;  // vertical dashed lines
  double width_px = 820, height_px = 440;   // height grows with the legend
};

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

/// 8-bit RGB PNG of the image (alpha dropped; render_slice output is opaque).
Expected<std::string> encode_png(const RgbaImage& image);
/// RFC 4648 base64 with padding.
std::string base64_encode(std::string_view bytes);
/// Text escaped for HTML element content and attribute values (& < > " ').
std::string html_escape(std::string_view text);

}  // namespace sbrtkit
