#include "sbrtkit/pipelines/plan_inputs.h"

#include <fmt/format.h>

#include <set>

#include "sbrtkit/dicom/dicom_index.h"
#include "sbrtkit/dicom/image_series.h"
#include "sbrtkit/dicom/rtplan.h"
#include "sbrtkit/dicom/rtstruct.h"

namespace sbrtkit {
namespace {

struct Files {
  std::filesystem::path rtstruct, rtdose;
  std::optional<std::filesystem::path> rtplan;
  std::vector<std::filesystem::path> images;
};

/// Resolves the request to files: explicit files as given, or a plan folder indexed once with one plan
/// chosen (its notes, problems and who the patient is go into `out`).

Expected<Files> resolve(const PlanInputRequest& request, PlanInputs& out) {
  const bool explicit_files = request.rtstruct || request.rtdose || request.rtplan;
  if (request.directory && explicit_files)
    return Error::bad_argument("PLAN", "either a folder or --rtstruct/--rtdose files", "both");
  if (!request.directory) {
    if (!request.rtstruct) return Error::bad_argument("--rtstruct", "an RTSTRUCT file (or a plan folder)", "nothing");
    if (!request.rtdose) return Error::bad_argument("--rtdose", "an RTDOSE file (or a plan folder)", "nothing");
    return Files{*request.rtstruct, *request.rtdose, request.rtplan, {}};
  }
  const auto& dir = *request.directory;
  if (!std::filesystem::is_directory(dir)) return Error::io(dir.string(), "not a folder");
  const DicomIndex index = index_directory(dir);
  for (const auto& e : index.unreadable) out.warnings.push_back("skipped unreadable file: " + e.message());
  const auto bundles = find_plans(index);
  auto bundle = select_plan(bundles, request.plan_uid);
  if (!bundle) return bundle.error();
  for (const auto& p : bundle->problems) out.warnings.push_back(p);
  if (!bundle->rtstruct)
    return Error::inconsistent(dir.string(), "RTSTRUCT", "no structure set linked to plan " + bundle->plan_uid());
  if (bundle->rtdoses.empty())
    return Error::inconsistent(dir.string(), "RTDOSE", "no dose linked to plan " + bundle->plan_uid());
  out.notes.push_back(fmt::format("plan '{}' ({}) chosen: {}", bundle->plan_label(), bundle->plan_uid(),
                                  request.plan_uid ? "asked for with --plan" : "the only plan in the folder"));
  if (bundle->rtdoses.size() > 1)
    out.notes.push_back(fmt::format("{} RTDOSE objects linked to the plan; using {} (summation type {})",
                                    bundle->rtdoses.size(), bundle->rtdoses.front().path.string(),
                                    bundle->rtdoses.front().dose_summation_type));
  Files files{bundle->rtstruct->path, bundle->rtdoses.front().path, std::nullopt, bundle->image_files};
  if (bundle->rtplan) files.rtplan = bundle->rtplan->path;
  const DicomFileInfo& who = bundle->rtplan ? *bundle->rtplan : *bundle->rtstruct;
  out.patient_name = who.patient_name;
  out.patient_id = who.patient_id;
  out.plan_uid = bundle->plan_uid();
  return files;
}

}  // namespace

Expected<PlanInputs> load_plan_inputs(const PlanInputRequest& request) {
  if (request.rx_gy && !(*request.rx_gy > 0))
    return Error::bad_argument("--rx", "a positive dose in Gy", std::to_string(*request.rx_gy));
  if (request.fractions && *request.fractions < 1)
    return Error::bad_argument("--fractions", "a positive number of fractions", std::to_string(*request.fractions));
  PlanInputs out;
  auto files = resolve(request, out);
  if (!files) return files.error();
  out.rtstruct_file = files->rtstruct.string();
  out.rtdose_file = files->rtdose.string();

  auto structures = read_rtstruct(files->rtstruct);
  if (!structures) return structures.error();
  out.structures = std::move(*structures);
  auto dose = read_rtdose(files->rtdose);
  if (!dose) return dose.error();
  out.dose = std::move(*dose);
  if (files->rtplan) {
    auto plan = read_rtplan(*files->rtplan);
    if (!plan) return plan.error();
    out.plan = std::move(*plan);
    out.rtplan_file = files->rtplan->string();
  }
  const auto& ss = out.structures;
  if (!ss.frame_of_reference_uid.empty() && !out.dose.frame_of_reference_uid.empty() &&
      ss.frame_of_reference_uid != out.dose.frame_of_reference_uid)
    return Error::inconsistent(out.dose.file, "(0020,0052) FrameOfReferenceUID",
                               "dose frame " + out.dose.frame_of_reference_uid + " differs from the structure set's " +
                                   ss.frame_of_reference_uid + " (" + out.rtstruct_file +
                                   "): they are not in the same patient coordinates");
  if (out.plan && !out.dose.referenced_plan_uid.empty() && out.dose.referenced_plan_uid != out.plan->sop_instance_uid)
    out.warnings.push_back("the RTDOSE references plan " + out.dose.referenced_plan_uid + ", not the given RTPLAN " +
                           out.plan->sop_instance_uid);

  // A dose that is not the whole plan's physical dose changes what every number means: say so.
  if (out.dose.dose_type == "ERROR")
    out.warnings.push_back("DoseType ERROR: the grid holds a dose uncertainty, not a dose");
  if (!out.dose.summation_type.empty() && out.dose.summation_type != "PLAN")
    out.warnings.push_back("DoseSummationType " + out.dose.summation_type +
                           ": this is not the whole plan's dose (PLAN); metrics describe that part only");

  if (request.rx_gy) {
    out.prescription_gy = request.rx_gy;
    out.prescription_source = "--rx";
  } else if (out.plan && out.plan->prescription_gy()) {
    out.prescription_gy = out.plan->prescription_gy();
    out.prescription_source = "RTPLAN";
    std::set<double> distinct;
    for (const auto& r : out.plan->dose_references) {
      if (!r.target_prescription_gy) continue;
      distinct.insert(*r.target_prescription_gy);
      if (r.referenced_roi_number) out.target_rx_by_roi[*r.referenced_roi_number] = *r.target_prescription_gy;
    }
    if (distinct.size() > 1)
      out.notes.push_back(fmt::format("the plan has {} different target prescriptions: each target uses its own, "
                                      "a GTV/CTV/ITV that of the target containing it, other structures the "
                                      "largest ({:g} Gy)",
                                      distinct.size(), *out.prescription_gy));
  }
  if (request.fractions) {
    out.fractions = request.fractions;
    out.fractions_source = "--fractions";
  } else if (out.plan && out.plan->fractions) {
    out.fractions = out.plan->fractions;
    out.fractions_source = "RTPLAN";
  }

  if (out.dose.units == RtDose::Units::relative) {
    if (!out.prescription_gy)
      return Error::bad_value(out.dose.file, "(3004,0002) DoseUnits",
                              "GY, or RELATIVE with a prescription (--rx or RTPLAN)", "RELATIVE without a prescription");
    for (float& v : out.dose.dose.voxels) v = float(v * *out.prescription_gy);
    out.notes.push_back(fmt::format("RELATIVE dose read as a fraction of the prescription: dose = value x {:g} Gy",
                                    *out.prescription_gy));
  }
  out.image_files = files->images;
  if (!files->images.empty())
    if (auto series = read_image_series(files->images, false)) out.single_plane_thickness_mm = series->geometry.spacing_mm().z;
  return out;
}

}  // namespace sbrtkit
