#pragma once
// What the HTML report shows, gathered by run_report (report_builder.cpp) and laid out by
// format_report_html (report_html.cpp): the layout never computes, the builder never formats HTML.

#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/protocol.h"
#include "sbrtkit/slice_render.h"

namespace sbrtkit::detail {

struct ReportFigure {
  std::string view;         // "Axial"
  std::string png_base64;   // data URI payload
  int width_px = 0, height_px = 0;
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
  std::string dvh_svg;
  std::vector<std::string> metric_names;
  std::vector<ReportStructureRow> structures;
  std::vector<ReportTarget> targets;
  std::vector<std::string> notes, warnings;
};

std::string format_report_html(const ReportContent& content);

}  // namespace sbrtkit::detail
