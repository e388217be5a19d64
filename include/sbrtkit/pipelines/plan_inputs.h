#pragma once
/// The inputs of a plan-level use case (`dvh`, `qa`, `check`, `report`): a plan folder
/// (indexed, one plan chosen) or explicit RTSTRUCT / RTDOSE / RTPLAN files, read and checked to belong
/// together (frame of reference), with the prescription and fractionation resolved and said where from.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/dicom/rtdose.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/plan.h"
#include "sbrtkit/structure.h"

namespace sbrtkit {

struct PlanInputRequest {
  std::optional<std::filesystem::path> directory;
  std::optional<std::string> plan_uid;
  std::optional<std::filesystem::path> rtstruct, rtdose, rtplan;
  std::optional<double> rx_gy;   // overrides every prescription of the RTPLAN
  std::optional<int> fractions;  // overrides NumberOfFractionsPlanned
};

struct PlanInputs {
  std::string rtstruct_file, rtdose_file;
  std::optional<std::string> rtplan_file;
  StructureSet structures;
  RtDose dose;  // in Gy (RELATIVE doses are scaled by the prescription)
  std::optional<PlanInfo> plan;
  std::optional<double> prescription_gy;  // plan level: --rx, else the RTPLAN's largest target Rx
  std::string prescription_source;        // "--rx", "RTPLAN", ""
  std::map<int, double> target_rx_by_roi;  // RTPLAN DoseReference > ReferencedROINumber (not with --rx)
  std::optional<int> fractions;
  std::string fractions_source;  // "--fractions", "RTPLAN", ""
  double single_plane_thickness_mm = 0;  // CT slice thickness when the images were found
  // Plan folder only (empty for explicit files): the image series the structure set was drawn on, and who
  // the patient is (from the RTPLAN, else the RTSTRUCT) and which plan was chosen, as the index read them.
  std::vector<std::filesystem::path> image_files;
  std::string patient_name, patient_id, plan_uid;
  std::vector<std::string> notes, warnings;
};

Expected<PlanInputs> load_plan_inputs(const PlanInputRequest& request);

}  // namespace sbrtkit
