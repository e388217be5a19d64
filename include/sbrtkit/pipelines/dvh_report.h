#pragma once
/// `sbrtkit dvh`: DICOM-RT in, DVH metrics per structure out. The use case only composes dicom/
/// readers and the core engine; formatting lives in dvh_output.h.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/dvh.h"
#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/plan_result.h"

namespace sbrtkit {

/// The default metric list of `sbrtkit dvh`.
inline const std::vector<std::string> kDefaultDvhMetrics = {
    "Volume[cc]", "Min[Gy]", "Mean[Gy]", "Max[Gy]", "D98%[Gy]", "D95%[Gy]", "D50%[Gy]", "D2%[Gy]", "D0.03cc[Gy]"};

struct DvhRequest {
  std::optional<std::filesystem::path> directory;  // indexed; or the explicit files below
  std::optional<std::string> plan_uid;
  std::optional<std::filesystem::path> rtstruct, rtdose, rtplan;
  std::vector<std::string> rois;     // names or ROI numbers; empty = every ROI
  std::vector<std::string> metrics;  // TG-263 strings; empty = kDefaultDvhMetrics
  std::optional<double> rx_gy;       // overrides the RTPLAN prescription
  DvhOptions engine;
  bool require_full_coverage = false;
  bool with_curves = false;
  double curve_step_gy = 0.01;
};

struct StructureReport {
  int roi_number = 0;
  std::string name;
  std::string interpreted_type;
  double volume_cc = 0;
  double coverage = 1;
  /// Prescription its relative metrics (V100%, D95%[%]) use (PrescriptionResolver): --rx, else the
  /// RTPLAN's prescription for this ROI, else that of the target containing a GTV, else the largest.
  std::optional<double> prescription_gy;
  std::string prescription_source;  // see PrescriptionResolver
  std::vector<MetricValue> metrics;
  double covered_volume_cc = 0;        // denominator of the % curves
  std::vector<Dvh::Point> cumulative;    // only with_curves: volume receiving >= dose
  std::vector<Dvh::Point> differential;  // only with_curves: volume per curve_step_gy-wide dose bin
  std::vector<std::string> warnings;
};

struct DvhReport {
  std::string rtstruct, rtdose;
  std::optional<std::string> rtplan;
  std::optional<double> prescription_gy;  // plan level: --rx, else the RTPLAN's largest target Rx
  std::string prescription_source;        // "--rx", "RTPLAN", ""
  std::vector<StructureReport> structures;
  std::vector<std::string> notes;     // what was chosen and why (plan selection, dose units)
  std::vector<std::string> warnings;  // report-level warnings
};

/// Reads the inputs, checks they belong together, computes every requested structure's DVH on one
/// prepared dose grid and evaluates the metrics. Input problems are returned as Error.
Expected<DvhReport> run_dvh(const DvhRequest& request);

}  // namespace sbrtkit
