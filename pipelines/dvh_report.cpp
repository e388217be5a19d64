#include "sbrtkit/pipelines/dvh_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "sbrtkit/pipelines/plan_inputs.h"
#include "sbrtkit/metric.h"
#include "sbrtkit/prescription.h"

namespace sbrtkit {
namespace {

std::string roi_list(const StructureSet& set) {
  std::string out;
  for (const auto& s : set.structures) out += (out.empty() ? "" : ", ") + std::to_string(s.roi_number) + " " + s.name;
  return out;
}

}  // namespace

Expected<DvhReport> run_dvh(const DvhRequest& request) {
  // Metrics first: a typo should fail before any file is read.
  auto parsed = parse_metrics(request.metrics.empty() ? kDefaultDvhMetrics : request.metrics);
  if (!parsed) return parsed.error();
  const std::vector<Metric>& metrics = *parsed;

  auto inputs = load_plan_inputs({request.directory, request.plan_uid, request.rtstruct, request.rtdose,
                                  request.rtplan, request.rx_gy, std::nullopt});
  if (!inputs) return inputs.error();
  DvhReport report;
  report.rtstruct = inputs->rtstruct_file;
  report.rtdose = inputs->rtdose_file;
  report.rtplan = inputs->rtplan_file;
  report.prescription_gy = inputs->prescription_gy;
  report.prescription_source = inputs->prescription_source;
  report.notes = inputs->notes;
  report.warnings = inputs->warnings;
  const StructureSet& structures = inputs->structures;

  std::vector<const Structure*> selected;
  if (request.rois.empty()) {
    for (const auto& s : structures.structures) selected.push_back(&s);
  } else {
    for (const auto& wanted : request.rois) {
      const Structure* s = structures.find(wanted);
      if (!s) return Error::bad_argument("--roi", "one of: " + roi_list(structures), "'" + wanted + "'");
      selected.push_back(s);
    }
  }

  DvhOptions engine = request.engine;
  // A structure drawn on one slice is as thick as that slice: take it from the images when known.
  if (engine.single_plane_thickness_mm <= 0) engine.single_plane_thickness_mm = inputs->single_plane_thickness_mm;

  const PrescriptionResolver prescriptions(structures, inputs->plan ? &*inputs->plan : nullptr, request.rx_gy);
  const DoseField field(inputs->dose.dose);
  auto dvhs = compute_dvhs(selected, field, engine);
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const Structure* s = selected[i];
    auto& result = dvhs[i];
    if (!result) return Error(result.error()).with_context(inputs->rtstruct_file);
    StructureReport row;
    row.roi_number = s->roi_number;
    row.name = s->name;
    row.interpreted_type = s->interpreted_type;
    row.volume_cc = result->dvh.total_volume_cc();
    row.coverage = result->dvh.coverage();
    row.warnings = warning_texts(result->warnings);
    if (request.require_full_coverage && row.coverage < 1)
      return Error::inconsistent(inputs->dose.file, "dose grid extent",
                                 fmt::format("ROI {} '{}': {:.3f} cc ({:.1f}%) lies outside the dose grid "
                                             "(--require-full-coverage)",
                                             s->roi_number, s->name, result->dvh.outside_volume_cc(),
                                             100 * (1 - row.coverage)));
    const PrescriptionChoice rx = prescriptions.for_structure(*s, result->centroid);
    row.prescription_gy = rx.prescription_gy;
    row.prescription_source = rx.source;
    for (const auto& metric : metrics) {
      const MetricResult value = evaluate(metric, result->dvh, row.prescription_gy);
      row.metrics.push_back({metric.text(), value.value});
      if (!value.warning.empty()) row.warnings.push_back(metric.text() + ": " + value.warning);
    }
    row.covered_volume_cc = result->dvh.covered_volume_cc();
    if (request.with_curves) {
      row.cumulative = result->dvh.cumulative(request.curve_step_gy);
      row.differential = result->dvh.differential(request.curve_step_gy);
    }
    report.structures.push_back(std::move(row));
  }
  return report;
}

}  // namespace sbrtkit
