#pragma once
/// One patient's treatment courses and PET/CT studies, found from the DICOM headers of a folder in any
/// layout (`sbrtkit history`): a course is an RTPLAN with its RTDOSE(s), RTSTRUCT and planning CT
/// (dicom_index.h find_plans); a study is a PET series with the CT series of its frame of reference.
/// Each gets a calendar date and the tag it came from:
///   course: RTPlanDate (300A,0006), else SeriesDate (0008,0021), else StudyDate (0008,0020) of the RTPLAN;
///   study:  AcquisitionDateTime (0008,002A), else SeriesDate, else StudyDate of the PET's first slice.
/// Headers only: no pixel data is read here.
///
///   auto patient = discover_patient(index_directory(dir));
///   patient->courses.back().date;   // "2024-06-01", the latest course

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/dicom/dicom_index.h"
#include "sbrtkit/expected.h"

namespace sbrtkit {

struct CourseFiles {
  PlanBundle bundle;  // rtplan, rtdoses, rtstruct, planning CT files
  std::string plan_uid, label, frame_of_reference_uid;
  std::string date;         // YYYY-MM-DD
  std::string date_source;  // "RTPlanDate (300A,0006) of plan.dcm"
  /// The dose of the whole course: the PLAN dose, or every BEAM dose (summed by the caller), or the only dose.
  std::vector<std::filesystem::path> dose_files;
  std::string dose_composition;  // "PLAN dose d.dcm", "sum of 3 BEAM doses"
};

struct StudyFiles {
  std::string series_uid, study_uid, modality, frame_of_reference_uid;
  std::vector<std::filesystem::path> files;  // the PET slices
  std::string ct_series_uid;                 // "" when the study has no CT of its own
  std::vector<std::filesystem::path> ct_files;
  std::string date, date_source;
};

struct PatientDicom {
  std::vector<CourseFiles> courses;  // by date, then plan UID
  std::vector<StudyFiles> studies;   // by date, then series UID
  std::vector<std::filesystem::path> registration_files;  // Spatial Registration (REG) objects
  std::vector<std::string> warnings;  // each names the file and the tag
};

/// "2024-06-01" from a DA or DT value ("20240601", "20240601093000.000+0100"); nullopt when it is not a
/// valid calendar date.
std::optional<std::string> iso_date(const std::string& dicom_date_or_datetime);

/// Errors (exit 2 upstream): no RTPLAN/RTDOSE course in the folder; a course without any date; a course
/// without a dose. Warnings: a PET series without any date (left out), a PET without a CT in its frame,
/// two courses on the same date, unreadable files.
Expected<PatientDicom> discover_patient(const DicomIndex& index);

}  // namespace sbrtkit
