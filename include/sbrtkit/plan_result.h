#pragma once
/// The stored outcome of evaluating one plan against a protocol: what `sbrtkit batch` keeps in
/// results.sqlite, the plan JSONs and the CSVs. Plain data, so that io/ (the database) and pipelines/
/// (the evaluation) share it without io/ depending on pipelines/.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/protocol.h"

namespace sbrtkit {

/// One DVH metric as asked for ("D95%[Gy]") and its value (empty when it cannot be evaluated).
struct MetricValue {
  std::string key;  // exactly as asked for
  std::optional<double> value;
};

/// One plan found under the batch root: its files and where they come from.
struct PlanJob {
  /// Unique within a trial and stable across runs: the RTPLAN SOP instance UID, else the plan UID the
  /// dose refers to ("rtdose:<dose UID>" when that plan belongs to another patient), else
  /// "rtstruct:<UID>"; a repeated key gets "#2", "#3" (RTPLAN copies first, then in path order).
  std::string key;
  std::string plan_uid, plan_label, patient_id, patient_name, frame_of_reference_uid;
  std::optional<std::filesystem::path> rtplan, rtstruct;
  std::vector<std::filesystem::path> rtdoses;  // DoseSummationType PLAN first; the first one is evaluated
  std::vector<std::filesystem::path> images;
  std::vector<std::string> problems;  // links that could not be made (from find_plans)
  /// Set by discovery when the plan must not be evaluated: its RTDOSE references an RTPLAN that belongs
  /// to another patient of the trial.
  std::optional<std::string> link_error;
  /// Hex digest of the input files (relative path, size, mtime) and of the evaluator identity.
  std::string input_fingerprint;

  std::vector<std::filesystem::path> files() const;  // every input file
};

/// One structure of an evaluated plan with its DVH metrics.
struct StructureResult {
  int roi_number = 0;
  std::string name, interpreted_type;
  double volume_cc = 0;
  double coverage = 1;  // fraction of the volume inside the dose grid
  std::optional<double> prescription_gy;
  std::vector<MetricValue> metrics;
};

enum class PlanStatus { evaluated, error };
const char* to_string(PlanStatus status);

/// The outcome of one plan: what the database, the JSON and the CSVs are made from.
struct PlanResult {
  PlanJob job;
  PlanStatus status = PlanStatus::error;
  std::string error;  // why the plan could not be evaluated (status error)
  std::string protocol_id, protocol_version;
  std::string overall;  // "pass", "minor", "major" ("" for errors)
  int passed = 0, minor = 0, major = 0, not_evaluable = 0;
  std::vector<std::string> missing_required;
  std::optional<int> fractions;
  std::optional<double> prescription_gy;
  std::vector<ConstraintRow> constraints;
  std::vector<StructureResult> structures;
  std::vector<std::string> notes, warnings;
  std::string check_json;  // `sbrtkit check --format json` of the plan, embedded in its result file
  double seconds = 0;      // evaluation wall time (JSON only: the database stays run-independent)
};

}  // namespace sbrtkit
