#include "sbrtkit/pipelines/dvh_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "sbrtkit/dicom/dicom_index.h"
#include "sbrtkit/dicom/image_series.h"
#include "sbrtkit/dicom/rtdose.h"
#include "sbrtkit/dicom/rtplan.h"
#include "sbrtkit/dicom/rtstruct.h"
#include "sbrtkit/metric.h"
#include "sbrtkit/prescription.h"

namespace sbrtkit {
namespace {

struct InputFiles {
  std::filesystem::path rtstruct, rtdose;
  std::optional<std::filesystem::path> rtplan;
  std::vector<std::filesystem::path> images;
};

Expected<InputFiles> resolve_inputs(const DvhRequest& request, std::vector<std::string>& notes,
                                    std::vector<std::string>& warnings) {
  const bool explicit_files = request.rtstruct || request.rtdose || request.rtplan;
  if (request.directory && explicit_files)
    return Error::bad_argument("DIR", "either a folder or --rtstruct/--rtdose files", "both");
  if (!request.directory) {
    if (!request.rtstruct) return Error::bad_argument("--rtstruct", "an RTSTRUCT file", "nothing");
    if (!request.rtdose) return Error::bad_argument("--rtdose", "an RTDOSE file", "nothing");
    return InputFiles{*request.rtstruct, *request.rtdose, request.rtplan, {}};
  }
  const auto& dir = *request.directory;
  if (!std::filesystem::is_directory(dir)) return Error::io(dir.string(), "not a folder");
  const DicomIndex index = index_directory(dir);
  for (const auto& e : index.unreadable) warnings.push_back("skipped unreadable file: " + e.message());
  const auto bundles = find_plans(index);
  auto bundle = select_plan(bundles, request.plan_uid);
  if (!bundle) return bundle.error();
  for (const auto& p : bundle->problems) warnings.push_back(p);
  if (!bundle->rtstruct)
    return Error::inconsistent(dir.string(), "RTSTRUCT", "no structure set linked to plan " + bundle->plan_uid());
  if (bundle->rtdoses.empty())
    return Error::inconsistent(dir.string(), "RTDOSE", "no dose linked to plan " + bundle->plan_uid());
  notes.push_back(fmt::format("plan '{}' ({}) chosen: {}", bundle->plan_label(), bundle->plan_uid(),
                              request.plan_uid ? "asked for with --plan" : "the only plan in the folder"));
  if (bundle->rtdoses.size() > 1)
    notes.push_back(fmt::format("{} RTDOSE objects linked to the plan; using {} (summation type {})",
                                bundle->rtdoses.size(), bundle->rtdoses.front().path.string(),
                                bundle->rtdoses.front().dose_summation_type));
  InputFiles files{bundle->rtstruct->path, bundle->rtdoses.front().path, std::nullopt, bundle->image_files};
  if (bundle->rtplan) files.rtplan = bundle->rtplan->path;
  return files;
}

std::string roi_list(const StructureSet& set) {
  std::string out;
  for (const auto& s : set.structures) out += (out.empty() ? "" : ", ") + std::to_string(s.roi_number) + " " + s.name;
  return out;
}

}  // namespace

Expected<DvhReport> run_dvh(const DvhRequest& request) {
  // Metrics first: a typo should fail before any file is read.
  std::vector<Metric> metrics;
  for (const auto& text : request.metrics.empty() ? kDefaultDvhMetrics : request.metrics) {
    auto metric = parse_metric(text);
    if (!metric) return metric.error();
    metrics.push_back(*metric);
  }
  if (request.rx_gy && !(*request.rx_gy > 0))
    return Error::bad_argument("--rx", "a positive dose in Gy", std::to_string(*request.rx_gy));

  DvhReport report;
  auto files = resolve_inputs(request, report.notes, report.warnings);
  if (!files) return files.error();
  report.rtstruct = files->rtstruct.string();
  report.rtdose = files->rtdose.string();

  auto structures = read_rtstruct(files->rtstruct);
  if (!structures) return structures.error();
  auto dose = read_rtdose(files->rtdose);
  if (!dose) return dose.error();
  std::optional<PlanInfo> plan;
  if (files->rtplan) {
    auto read = read_rtplan(*files->rtplan);
    if (!read) return read.error();
    plan = *read;
    report.rtplan = files->rtplan->string();
  }

  if (!structures->frame_of_reference_uid.empty() && !dose->frame_of_reference_uid.empty() &&
      structures->frame_of_reference_uid != dose->frame_of_reference_uid)
    return Error::inconsistent(dose->file, "(0020,0052) FrameOfReferenceUID",
                               "dose frame " + dose->frame_of_reference_uid + " differs from the structure set's " +
                                   structures->frame_of_reference_uid + " (" + files->rtstruct.string() +
                                   "): they are not in the same patient coordinates");
  if (plan && !dose->referenced_plan_uid.empty() && dose->referenced_plan_uid != plan->sop_instance_uid)
    report.warnings.push_back("the RTDOSE references plan " + dose->referenced_plan_uid + ", not the given RTPLAN " +
                              plan->sop_instance_uid);

  // A dose that is not the whole plan's physical dose changes what every number means: say so.
  if (dose->dose_type == "ERROR")
    report.warnings.push_back("DoseType ERROR: the grid holds a dose uncertainty, not a dose");
  if (!dose->summation_type.empty() && dose->summation_type != "PLAN")
    report.warnings.push_back("DoseSummationType " + dose->summation_type +
                              ": this is not the whole plan's dose (PLAN); metrics describe that part only");

  if (request.rx_gy) {
    report.prescription_gy = request.rx_gy;
    report.prescription_source = "--rx";
  } else if (plan && plan->prescription_gy()) {
    report.prescription_gy = plan->prescription_gy();
    report.prescription_source = "RTPLAN";
    std::set<double> distinct;
    for (const auto& r : plan->dose_references)
      if (r.target_prescription_gy) distinct.insert(*r.target_prescription_gy);
    if (distinct.size() > 1)
      report.notes.push_back(fmt::format("the plan has {} different target prescriptions: each target uses its own, "
                                         "a GTV/CTV/ITV that of the target containing it, other structures the "
                                         "largest ({:g} Gy)",
                                         distinct.size(), *report.prescription_gy));
  }

  if (dose->units == RtDose::Units::relative) {
    if (!report.prescription_gy)
      return Error::bad_value(dose->file, "(3004,0002) DoseUnits", "GY, or RELATIVE with a prescription (--rx or RTPLAN)",
                              "RELATIVE without a prescription");
    for (float& v : dose->dose.voxels) v = float(v * *report.prescription_gy);
    report.notes.push_back(fmt::format("RELATIVE dose read as a fraction of the prescription: dose = value x {:g} Gy",
                                       *report.prescription_gy));
  }

  std::vector<const Structure*> selected;
  if (request.rois.empty()) {
    for (const auto& s : structures->structures) selected.push_back(&s);
  } else {
    for (const auto& wanted : request.rois) {
      const Structure* s = structures->find(wanted);
      if (!s)
        return Error::bad_argument("--roi", "one of: " + roi_list(*structures), "'" + wanted + "'");
      selected.push_back(s);
    }
  }

  DvhOptions engine = request.engine;
  if (engine.single_plane_thickness_mm <= 0) {
    // A structure drawn on one slice is as thick as that slice: take it from the images when known.
    if (!files->images.empty()) {
      if (auto series = read_image_series(files->images, false)) engine.single_plane_thickness_mm = series->geometry.spacing_mm().z;
    }
  }

  const PrescriptionResolver prescriptions(*structures, plan ? &*plan : nullptr, request.rx_gy);
  const DoseField field(dose->dose);
  auto dvhs = compute_dvhs(selected, field, engine);
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const Structure* s = selected[i];
    auto& result = dvhs[i];
    if (!result) return Error(result.error()).with_context(files->rtstruct.string());
    StructureReport row;
    row.roi_number = s->roi_number;
    row.name = s->name;
    row.interpreted_type = s->interpreted_type;
    row.volume_cc = result->dvh.total_volume_cc();
    row.coverage = result->dvh.coverage();
    row.warnings = result->warnings;
    if (request.require_full_coverage && row.coverage < 1)
      return Error::inconsistent(dose->file, "dose grid extent",
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
