#pragma once
/// The longitudinal synthetic patient for `sbrtkit history`: the same pelvis-and-lumbar-spine anatomy as
/// phantom.h followed over a year. Two SBRT courses: course 1 (2024-01-22) treats L3 and the left external
/// iliac node; course 2 (2024-08-05) re-irradiates the spine one level lower (L4), so the cauda equina
/// receives dose from both. Three PSMA PET/CT studies (before course 1, between the courses, after
/// course 2). Every course's planning CT and every study is in its own frame of reference, related to
/// the anatomy by a known rigid transform; course 2's planning frame is the anatomy frame itself (the
/// reference of `history`). Each lesion is designed to end in a known outcome after each course.
///
/// Writing (longitudinal_writer.cpp):
///   DIR/course1/{ct/,rtstruct.dcm,rtplan.dcm,rtdose.dcm}   DIR/course2/...
///   DIR/study1/{ct/,pet/}  DIR/study2/...  DIR/study3/...   DIR/ground_truth.json
///   auto s = write_longitudinal_phantom({.out_dir = "sample-data/generated/longitudinal", .seed = 1});

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/phantom/phantom.h"
#include "sbrtkit/phantom/phantom_writer.h"

namespace sbrtkit::phantom {

inline constexpr const char* kLongitudinalVersion = "sbrtkit-phantom-longitudinal 1.0";

/// EQD2 of a physical dose D given in n fractions: D (D / n + a/b) / (2 + a/b) (Withers; the
/// linear-quadratic model without time factor). Written out here so the truth does not use sbrtkit.
double eqd2_gy(double dose_gy, int fractions, double alpha_beta_gy);

struct LongitudinalCourse {
  std::string label;      // "course1"
  std::string plan_date;  // YYYYMMDD: StudyDate and RTPlanDate of the course's objects
  RigidTransform anatomy_to_frame;  // p_frame = T p_anatomy; course 2: identity
  Model model;            // the anatomy with this course's targets only (its dose)
  int fractions = 3;
};

/// What each lesion was built to do after one course.
struct OutcomeTruth {
  std::string course;   // "course1"
  std::string outcome;  // controlled, local_failure, marginal_failure, out_of_field_progression, new,
                        // not_progressed
  bool treated = false;
  std::optional<std::string> failure_study;  // label of the study where it fails / is first seen
  std::optional<int> days_to_failure;        // from the course's plan date, counted by hand
  std::optional<int> days_followed;          // to the failure or to the last study
  std::string why;
};

struct LongitudinalLesion {
  std::string name;
  std::vector<OutcomeTruth> outcomes;
};

/// A point where the cumulative dose is known in closed form, with the a/b of the tissue it lies in.
struct NamedPoint {
  std::string name;
  std::string structure;
  PatientPoint anatomy;  // anatomy = reference frame
  double alpha_beta_gy = 3;
};

struct LongitudinalPatient {
  Model anatomy;  // every target's GTV painted (CT, PET); its targets' doses are not used
  std::vector<LongitudinalCourse> courses;
  std::vector<PetTimePoint> studies;  // label study1..3, planning_to_frame = anatomy -> study frame
  std::vector<LongitudinalLesion> lesions;
  std::vector<NamedPoint> points;
  /// Hand-counted days between plan dates and study dates: days[course][study] (negative before).
  std::vector<std::vector<int>> days_from_plan;
};

/// Deterministic for a seed and size. Course models are normalised on their own planning grids.
LongitudinalPatient longitudinal_patient(std::uint64_t seed, PhantomSize size);

/// Planning grids of a course in its own frame (planning_grids(size) moved with the frame).
Grids course_grids(const LongitudinalCourse& course, PhantomSize size);

/// Physical dose of course c at a point of the anatomy frame.
double course_dose_gy(const LongitudinalCourse& course, PatientPoint anatomy);

/// Maximum over a structure's contour stack (smooth loops of the reference planes, half-gap slabs,
/// 0.5 mm in-plane pitch, 4 sub-slabs per plane) of each course's physical dose, their sum and the
/// cumulative EQD2 (voxel by voxel). Empty when the structure has no plane.
struct StructureMaxTruth {
  std::string structure;
  double alpha_beta_gy = 2;
  std::vector<double> course_max_gy, course_eqd2_max_gy;
  double physical_max_gy = 0, eqd2_max_gy = 0;
  PatientPoint eqd2_max_at;
};
StructureMaxTruth structure_max_truth(const LongitudinalPatient& patient, int roi_number, const std::string& name,
                                      double alpha_beta_gy, const std::vector<double>& reference_planes_mm);

}  // namespace sbrtkit::phantom

namespace sbrtkit {

struct LongitudinalSummary {
  std::filesystem::path out_dir, ground_truth;
  std::vector<std::filesystem::path> files;  // relative to out_dir
  std::uintmax_t bytes = 0;
  double seconds = 0;
};

/// Errors: as write_phantom (a folder that is neither empty nor an earlier phantom is left alone).
Expected<LongitudinalSummary> write_longitudinal_phantom(const PhantomOptions& options);

}  // namespace sbrtkit
