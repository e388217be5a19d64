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
///   auto report = run_report(request);      // report->content, report->verdict
///   auto html = format_report_html(report->content);   // sbrtkit/report/html_report.h

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

// ---- What the page shows (laid out by report/, format_report_html) ----

/// One curve of the DVH plot: cumulative volume in % of the structure's covered volume.
struct DvhPlotSeries {
  std::string name;
  Rgb colour;
  bool target = false;  // a GTV/CTV/ITV/PTV: drawn solid and thicker (organs at risk dashed)
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

struct ReportFigure {
  std::string view;         // "Axial"
  RgbaImage image;          // encoded as a PNG data URI by the HTML page
  std::string top, bottom, left, right;  // anatomical direction at each image edge
  std::string caption;      // "Axial, z = 12.3 mm"
};

struct ReportIsodose {
  std::string label;  // "100% (30 Gy)"
  Rgb colour;
};

struct ReportTarget {
  std::string name;
  int roi_number = 0;
  std::optional<double> prescription_gy;
  std::string prescription_source;
  PatientPoint centre;
  double pixel_mm = 0, field_mm = 0, scale_bar_mm = 0;
  double wash_min_gy = 0, wash_max_gy = 0;
  std::vector<ReportIsodose> isodoses;
  std::vector<ReportFigure> figures;
};

struct ReportStructureRow {
  int roi_number = 0;
  std::string name, interpreted_type;
  Rgb colour;
  double volume_cc = 0, coverage = 1;
  std::optional<double> prescription_gy;
  std::vector<std::optional<double>> metrics;  // as ReportContent::metric_names
  std::vector<std::string> warnings;
};

struct ReportContent {
  std::string patient_name, patient_id;
  std::string plan_label, plan_name, plan_uid;
  std::string rtstruct_file, rtdose_file, rtplan_file, ct_description;
  std::optional<double> plan_prescription_gy;
  std::string prescription_source;
  struct Prescription {
    std::string target;
    double dose_gy = 0;
    std::string source;
  };
  std::vector<Prescription> prescriptions;
  std::optional<int> fractions;
  std::string fractions_source;
  std::optional<ComplianceReport> compliance;  // with --protocol
  DvhPlot dvh_plot;
  std::vector<std::string> metric_names;
  std::vector<ReportStructureRow> structures;
  std::vector<ReportTarget> targets;
  std::vector<std::string> notes, warnings;
};

struct ReportResult {
  ReportContent content;
  std::optional<ComplianceLevel> verdict;  // with a protocol
  std::vector<std::string> warnings;
};

/// Reads the plan, computes DVHs (and the protocol check) and renders the slices: everything the page shows.
/// Errors are those of the inputs (unreadable files, plan selection, protocol loading).
Expected<ReportResult> run_report(const ReportRequest& request);

}  // namespace sbrtkit
