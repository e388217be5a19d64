#pragma once
/// The lesion side of `sbrtkit history`: every PET study segmented as `sbrtkit lesions` / `response` do
/// (run_lesions against the reference plan, with the study's already-known map into the reference
/// frame), every lesion given each course's dose context (that course's PTVs and Rx, in its own frame,
/// and its dose resampled into the reference frame), then core/lesion_history chains them over all
/// studies and judges treated-by, outcomes and patient events. Cumulative and per-course EQD2 D98 and
/// mean of each lesion (a/b 10 by default) come from the per-course doses at its voxel centres.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/dose_resample.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/lesion_history.h"
#include "sbrtkit/pipelines/history.h"
#include "sbrtkit/pipelines/lesions_report.h"
#include "sbrtkit/registration.h"
#include "sbrtkit/response_rules.h"

namespace sbrtkit {

struct HistoryLesionsCourse {
  std::string plan_uid;
  std::string date;  // YYYY-MM-DD or YYYYMMDD (RTPlanDate)
  int fractions = 0;
  RigidMap to_reference;  // course patient coordinates -> reference
  std::filesystem::path rtstruct_file;
  std::filesystem::path rtplan_file;  // for the PTVs' prescriptions; may be empty
  const ResampledDose* dose = nullptr;  // physical dose on the accumulation grid (reference frame); may be null
};

struct HistoryLesionsStudy {
  std::string series_uid;
  std::string date;  // YYYY-MM-DD or YYYYMMDD
  std::filesystem::path pet_dir;
  /// The study's PET files. When given, run_lesions reads exactly these (linked into a private temporary
  /// folder), so a folder holding several series (a flat PACS export) works.
  std::vector<std::filesystem::path> pet_files;
  std::optional<std::filesystem::path> ct_dir;
  RigidMap to_reference;  // study patient coordinates -> reference
  std::string placed_by;  // how to_reference was found, for the notes
};

struct HistoryLesionsRequest {
  std::filesystem::path reference_plan_dir;  // run_lesions measures uptake against this plan's structures
  std::optional<std::string> reference_plan_uid;
  std::vector<HistoryLesionsCourse> courses;  // chronological
  std::vector<HistoryLesionsStudy> studies;   // chronological (PET only)
  ResponseRuleSet rules;
  double lesion_alpha_beta_gy = 10;
  bool parallel = true;  // two studies at a time
  std::vector<std::string> left_out;  // studies not taken (not placed), said in the result's warnings
};

/// Dose to one lesion (at its dose appearance: the last study on or before the last course, else its
/// first), from the points of known dose.
struct LesionDoseSummary {
  int study = 0;  // the appearance used
  PatientPoint centre_mm;  // its centroid, reference frame
  std::vector<std::optional<double>> course_eqd2_d98_gy, course_eqd2_mean_gy;  // one per course
  std::optional<double> cumulative_eqd2_d98_gy, cumulative_eqd2_mean_gy;
  int points_outside_a_course_grid = 0;  // counted as 0 Gy from that course, and said in the notes
};

struct HistoryLesions {
  std::vector<LesionStudy> studies;  // what the history was built from, reference frame
  std::vector<std::string> study_series_uids, course_plan_uids;
  std::vector<int> course_fractions;
  LesionHistory history;
  std::vector<LesionDoseSummary> dose;  // one per history.lesions track
  double alpha_beta_gy = 10;
  std::vector<std::string> rules_text, notes, warnings;
  double seconds = 0;  // wall time of the lesion side
};

/// Errors: a study or course date that does not parse, a course RTSTRUCT that cannot be read, and the
/// errors of build_lesion_history (two studies on one date, ...). A study run_lesions refuses is left out
/// with a warning naming it and the reason: the other studies still make a history.
Expected<HistoryLesions> run_history_lesions(const HistoryLesionsRequest& request);

/// The lesion side on a finished dose-side history: its courses (plan, RTSTRUCT, dose on the accumulation
/// grid, map into the reference) and its placed PET studies (PET next to its CT), against the reference
/// course's plan folder. Studies that could not be placed are left out with a warning; a course without
/// an RTSTRUCT treats no lesion (warning).
HistoryLesionsRequest history_lesions_request(const HistoryReport& report, const ResponseRuleSet& rules);

/// D98 of sampled values: the dose at least 98% of the points receive (nearest rank, from the bottom).
std::optional<double> d98_of(std::vector<double> values);

/// The outcome a lesion's history.json row carries: after the last course that treated it, else after the
/// latest course it has an outcome for; nullptr when it has none.
const LesionCourseOutcome* headline_outcome(const LesionTrack& track);

}  // namespace sbrtkit
