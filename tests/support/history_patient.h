#pragma once
// A two-course patient for `sbrtkit history` tests and the benchmark, written with dicom/rt_writer.h.
// The anatomy is defined in the reference frame (course 2's); course 1 (and each PET/CT study) lives in
// its own frame, related to the reference by a known rigid map, so every expected number is computed
// from the construction, never from sbrtkit:
//
//   reference (course 2) coordinates, mm (LPS):
//     body: elliptic water cylinder 120 x 90 mm, air outside; lung (-800 HU) sphere at (-55, -20, -25) r 28;
//     vertebral bodies: cylinder (0, 30) r 15, 700 HU with 200 HU discs every 30 mm (z = 15 + 30 k, 6 mm thick);
//     spinous process: box x [-4, 4], y [62, 80], 600 HU; kidney: sphere (60, 20, 10) r 22, 40 HU.
//   reference RTSTRUCT: SpinalCord cylinder (0, 55) r 6, z [-60, 60] (ORGAN); Vertebra cylinder (0, 30) r 15,
//     z [-30, 30] (ORGAN); PTV_C2 box x [-15, 15], y [20, 45], z [-10, 10] (PTV); Bowel cylinder (10, 20) r 5,
//     z [11, 17] (ORGAN); BODY (EXTERNAL).
//   course 2 dose: `dose2_gy` uniform on an axis-aligned 3 mm grid whose cells span x [-30, 30],
//     y [10, 70], z [-21, 21] (reference frame).
//   course 1 dose: `dose1_gy` + gradient_gy_per_mm * (x1 - c1.x) on an axis-aligned 3 mm grid in course 1's
//     frame, cells spanning c1 +- (42, 42, 21) mm with c1 = course1_to_reference^-1 (0, 40, -15).
#include <filesystem>
#include <string>
#include <vector>

#include "sbrtkit/registration.h"
#include "sbrtkit/volume.h"

namespace sbrtkit::testing {

enum class FrameLink {
  spatial_registration,  // a REG object maps the frame into the reference frame
  ct_registration,       // only the CTs: sbrtkit must register them
  same_frame,            // the same FrameOfReferenceUID as the reference
};

/// Rz(4 deg) Rx(2 deg), t = (10, -6, 20) mm: small enough for registration to start near it, large
/// enough that a sign error in the rotation or the direction of the map shows (several mm at the cord).
RigidMap default_course1_map();

struct HistoryPatientOptions {
  FrameLink link = FrameLink::spatial_registration;
  RigidMap course1_to_reference = default_course1_map();
  double dose1_gy = 24, dose2_gy = 25;
  int fractions1 = 3, fractions2 = 5;
  double gradient_gy_per_mm = 0;  // course 1's dose slope along its own x axis
  std::string date1 = "20240101", date2 = "20240801";
  bool write_course1_ct = true;
  int studies = 0;                   // PET/CT studies, each in its own frame (linked as `link`)
  std::vector<std::string> study_dates = {"20231215", "20240701", "20241201"};
  bool study_without_dates = false;  // the last study's PET has no date at all
  bool last_study_without_ct = false;  // the last study's PET comes without its CT
  /// The registration object maps course 1 with this extra translation (a wrong object: the CTs then disagree).
  Vec3 registration_object_error_mm{0, 0, 0};
};

struct HistoryPatientTruth {
  std::string plan1_uid, plan2_uid;
  std::string frame1_uid, frame2_uid;
  RigidMap course1_to_reference;
  PatientPoint course1_dose_centre_in_own_frame;  // c1
  std::vector<std::string> study_series_uids;
  std::vector<RigidMap> study_to_reference;
  std::vector<std::string> study_frames;
};

/// Rz(a) Rx(b) (degrees) then + t.
RigidMap rigid_map(double rz_deg, double rx_deg, Vec3 t);

/// CT number of the anatomy at a reference-frame point.
double anatomy_hu(PatientPoint reference_point);

/// Writes the patient under dir (folders with opaque names, as a PACS export); throws on failure.
HistoryPatientTruth write_history_patient(const std::filesystem::path& dir, const HistoryPatientOptions& options = {});

}  // namespace sbrtkit::testing
