#pragma once
/// `sbrtkit response`: treated-versus-progressing lesion map between a baseline and a follow-up PET.
/// Both PET studies are brought into the planning frame and segmented as by `sbrtkit lesions`
/// (run_lesions), their lesions are matched and classified by core/response (assess_response), and the
/// result is written as tables (CSV, JSON), a status label map (NRRD + DICOM SEG), a coronal MIP PNG and
/// VTK PolyData surfaces.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/lesion.h"
#include "sbrtkit/pipelines/lesions_report.h"
#include "sbrtkit/response.h"
#include "sbrtkit/structure.h"

namespace sbrtkit {

/// Segmentation settings of the rules file (section `segmentation`).
struct ResponseSegmentation {
  SegmentationOptions options;            // percent-of-max 41%, seed SUV 3, min 0.1 cc by default
  std::string exclude_rois = "Bladder*,Bowel*,Kidney*,Rectum*";  // physiological uptake masks
  double exclude_margin_mm = 8;           // the masks grow by this to take the organs' spill-out
  double max_volume_cc = 50;              // larger components are organs (kidneys), not lesions; <= 0 keeps all
};

struct ResponseRequest {
  std::filesystem::path plan_dir;
  std::optional<std::string> plan_uid;
  std::filesystem::path baseline_pet_dir, followup_pet_dir;
  std::optional<std::filesystem::path> baseline_ct_dir, followup_ct_dir;  // default: next to the PET
  RegistrationChoice registration;  // as LesionsRequest::registration, for both studies
  /// Set by run_response from the planning CT (metric samples bounded, see response_report.cpp).
  RigidRegistrationOptions registration_options;
  ResponseRules rules;
  ResponseSegmentation segmentation;
  bool parallel = true;  // the two time points on two threads
};

struct ResponseTimePoint {
  LesionsReport report;                 // lesions kept (physiological organs dropped), ids renumbered 1..n
  std::vector<ResponseLesion> lesions;  // same order, in the planning frame
  std::vector<std::string> dropped;     // components dropped by max_volume_cc
};

struct ResponseReport {
  ResponseTimePoint baseline, followup;
  ResponseAssessment assessment;
  std::vector<std::string> rules_text;  // describe_rules + segmentation
  std::vector<Structure> ptvs;          // planning frame, for outlines
  std::vector<std::string> notes, warnings;
  double seconds = 0;
};

Expected<ResponseReport> run_response(const ResponseRequest& request);

/// Reads a rules file (YAML; see rules/response-default.yaml); unknown keys and bad values are errors
/// naming the file, line and key. Keys absent from the file keep their defaults.
Status load_response_rules(const std::filesystem::path& file, ResponseRules& rules, ResponseSegmentation& segmentation);

std::string format_response_csv(const ResponseReport& report);
std::string format_response_json(const ResponseReport& report);

/// Status label map on the follow-up PET grid (value = ResponseStatus code, vanished baseline lesions
/// mapped onto it as complete_response), legend in the header; NRRD raw little-endian unsigned char.
Status write_status_label_map_nrrd(const std::filesystem::path& file, const ResponseReport& report);
/// DICOM SEG on the follow-up PET: one segment per lesion named "<name> <status>".
Status write_status_seg(const std::filesystem::path& file, const ResponseReport& report);
/// Coronal maximum-intensity projection of the follow-up PET (inverted grey, SUV 0..10), lesions
/// filled with their status colour, PTV silhouettes outlined in cyan, and a legend strip.
Status write_status_mip_png(const std::filesystem::path& file, const ResponseReport& report);
/// Voxel-face surfaces of all lesions in the planning frame (VTK XML PolyData, ASCII), cell data
/// "status", "lesion" and "colour" (RGB).
Status write_status_vtp(const std::filesystem::path& file, const ResponseReport& report);

}  // namespace sbrtkit
