#pragma once
/// `sbrtkit history`: one patient followed over every course. The folder's courses and PET/CT studies are
/// found from the DICOM (dicom/patient_courses.h); every course's planning CT and every study's CT is
/// mapped rigidly into the reference frame (the latest course's planning CT unless asked): the same frame
/// of reference, a Spatial Registration object linking the frames, or ITK rigid registration; the
/// courses' doses are resampled onto one grid covering them all (reference dose spacing) and summed
/// physically and voxel-wise in EQD2 (a/b per voxel from the reference structures, smallest on overlaps),
/// and the cumulative limits of a protocol (reirradiation-spine by default) are judged.
///
/// The lesion side (PET lesions chained over the studies, outcomes) is added by core/lesion_history;
/// this use case leaves HistoryReport::studies placed in the reference frame for it.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/alpha_beta.h"
#include "sbrtkit/cumulative_limits.h"
#include "sbrtkit/dicom/patient_courses.h"
#include "sbrtkit/dose_accumulation.h"
#include "sbrtkit/dose_resample.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/registration.h"
#include "sbrtkit/structure.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

struct HistoryRequest {
  std::filesystem::path patient_dir;
  std::optional<std::string> reference_plan_uid;           // default: the latest course
  std::optional<std::filesystem::path> alpha_beta_file;    // default: the built-in table (= rules/alpha-beta-default.yaml)
  std::optional<std::string> limits;                       // protocol id or file; default "reirradiation-spine"
  bool no_limits = false;
  RigidRegistrationOptions registration_options;           // sampling bounded per CT as in `response`
  /// A registration whose CT-to-CT correlation (image_agreement.h) is below this is reported as poor.
  double poor_registration_correlation = 0.8;
  /// Called with a stage description, steps done and the total.
  std::function<void(const std::string&, std::size_t, std::size_t)> progress;
};

struct HistoryRegistration {
  std::string method;  // "reference", "same frame of reference", "spatial registration", "rigid registration", "none"
  std::string file;    // the Spatial Registration object, when used
  std::optional<double> metric_value;  // ITK Mattes MI at the end (negative; lower is better)
  std::optional<int> iterations;
  std::string stop_condition;
  std::optional<double> correlation;       // CT-to-CT Pearson r after mapping (both CTs needed)
  std::optional<double> overlap_fraction;  // of the reference CT covered by the mapped CT
  bool poor = false;
};

struct HistoryCourse {
  std::string plan_uid, label, date, date_source, frame_of_reference_uid;
  int fractions = 0;
  std::string rtplan_file, rtstruct_file, ct_series_uid;
  std::vector<std::string> dose_files;
  std::string dose_composition;
  RigidMap to_reference;  // this course's patient coordinates (mm) -> the reference's
  HistoryRegistration registration;
  ImageGeometry dose_grid;  // in the course's own frame
  ResampledDose on_grid;    // physical dose on the accumulation grid (reference frame)
};

struct HistoryStudy {
  std::string series_uid, modality, date, date_source, frame_of_reference_uid, ct_series_uid;
  std::vector<std::filesystem::path> files, ct_files;
  bool placed = false;  // false: no way to map it into the reference frame (see warnings)
  RigidMap to_reference;
  HistoryRegistration registration;
};

struct StructureCourseDose {
  std::string plan_uid;
  std::optional<double> max_gy, d0_035cc_gy, eqd2_max_gy, eqd2_d0_035cc_gy;
  double outside_grid_cc = 0;  // of the structure outside this course's calculated dose grid
};

struct DoseStatistics {
  std::optional<double> max_gy, d0_035cc_gy, mean_gy;
};

struct HistoryStructure {
  std::string name, interpreted_type, category;
  int roi_number = 0;
  std::optional<double> alpha_beta_gy;  // nullopt: takes no part (EXTERNAL, ...): voxels keep `elsewhere`
  std::string alpha_beta_rule, alpha_beta_source;
  double recovery_fraction = 0;
  std::string recovery_source;
  double volume_cc = 0;
  DoseStatistics cumulative_physical, cumulative_eqd2;
  std::vector<StructureCourseDose> per_course;
};

struct HistoryReport {
  std::string patient_id, patient_name, reference_study_instance_uid;
  std::size_t reference_course = 0;  // index into courses
  std::string reference_plan_uid, reference_frame_of_reference_uid, reference_ct_series_uid, reference_choice;
  std::vector<HistoryCourse> courses;  // chronological
  std::vector<HistoryStudy> studies;   // chronological
  StructureSet reference_structures;
  std::vector<HistoryStructure> structures;
  AccumulatedDose accumulated;  // on accumulated.physical_gy.geometry (reference frame)
  std::string alpha_beta_origin;
  double alpha_beta_elsewhere_gy = 3;
  std::string alpha_beta_elsewhere_source;
  bool recovery_applied = false;
  std::string limits_protocol_id, limits_protocol_name, limits_protocol_file;
  std::vector<CumulativeLimitRow> limits;
  std::optional<CourseInterval> min_course_interval;
  std::vector<CourseIntervalRow> intervals;
  std::vector<std::string> notes, warnings;
  double seconds = 0;
};

/// Errors (exit 2): nothing to compute (no course; a course that cannot be placed in the reference frame;
/// a course without fractions or without a readable dose; an unknown --reference; the latest date shared
/// by two courses without --reference; recovery with two courses on one date; a bad alpha/beta or
/// limits file). Problems that leave the rest computable are warnings.
Expected<HistoryReport> run_history(const HistoryRequest& request);

/// accumulated_physical.dcm / accumulated_eqd2.dcm: RTDOSE in the reference frame of reference,
/// DoseSummationType MULTI_PLAN, DoseType PHYSICAL / EFFECTIVE, ReferencedRTPlanSequence naming every course.
Status write_accumulated_rtdose(const std::filesystem::path& file, const HistoryReport& report, bool eqd2);

}  // namespace sbrtkit
