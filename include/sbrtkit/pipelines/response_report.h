#pragma once
/// `sbrtkit response`: treated-versus-progressing lesion map between a baseline and a follow-up PET.
/// Both PET studies are brought into the planning frame and segmented as by `sbrtkit lesions`
/// (run_lesions), their lesions are matched and classified by core/response (assess_response), and the
/// result is written as tables (CSV, JSON), a status label map (NRRD + DICOM SEG), a coronal MIP PNG and
/// VTK PolyData surfaces.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/lesion.h"
#include "sbrtkit/pipelines/lesions_report.h"
#include "sbrtkit/response.h"
#include "sbrtkit/response_rules.h"
#include "sbrtkit/structure.h"

namespace sbrtkit {

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
  /// As LesionsRequest::on_stage, each stage prefixed by "baseline: " or "follow-up: "; called from two
  /// threads when parallel.
  std::function<void(const std::string& stage)> on_stage;
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

}  // namespace sbrtkit
