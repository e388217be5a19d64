#pragma once
/// Indexing a folder of DICOM files (headers only) and grouping them into plans: RTPLAN + RTDOSE +
/// RTSTRUCT + image series, linked by UID references.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"

namespace sbrtkit {

/// Header summary of one DICOM file.
struct DicomFileInfo {
  std::filesystem::path path;
  std::string modality;
  std::string sop_class_uid;
  std::string sop_instance_uid;
  std::string patient_id;
  std::string patient_name;
  std::string study_instance_uid;
  std::string series_instance_uid;
  std::string frame_of_reference_uid;
  std::string label;  // RTPlanLabel or StructureSetLabel, "" otherwise
  std::string dose_summation_type;  // RTDOSE only
  /// RTDOSE: ReferencedRTPlanSequence (300C,0002) SOP instance UIDs.
  std::vector<std::string> referenced_plan_uids;
  /// RTPLAN: ReferencedStructureSetSequence (300C,0060) SOP instance UIDs.
  std::vector<std::string> referenced_structure_set_uids;
  /// RTSTRUCT: series in ReferencedFrameOfReferenceSequence > RTReferencedStudySequence >
  /// RTReferencedSeriesSequence (3006,0014).
  std::vector<std::string> referenced_series_uids;
  /// Dates as written in the file (DA YYYYMMDD, DT YYYYMMDDHHMMSS...), "" when absent; `history` orders
  /// courses and studies by them.
  std::string rt_plan_date;          // RTPLAN RTPlanDate (300A,0006)
  std::string acquisition_datetime;  // AcquisitionDateTime (0008,002A)
  std::string series_date;           // SeriesDate (0008,0021)
  std::string study_date;            // StudyDate (0008,0020)
};

struct DicomIndex {
  std::filesystem::path root;
  std::vector<DicomFileInfo> files;      // sorted by path
  std::size_t non_dicom_files = 0;       // skipped silently
  std::vector<Error> unreadable;         // DICOM files whose header could not be parsed
};

/// Recursively reads the header (everything before PixelData) of every file under root.
DicomIndex index_directory(const std::filesystem::path& root);

/// One plan to evaluate: everything linked to an RTPLAN, or to an RTDOSE whose plan is absent.
struct PlanBundle {
  std::optional<DicomFileInfo> rtplan;
  std::vector<DicomFileInfo> rtdoses;  // DoseSummationType PLAN first
  std::optional<DicomFileInfo> rtstruct;
  std::string image_series_uid;
  std::vector<std::filesystem::path> image_files;
  /// Links that could not be made, e.g. "RTDOSE d.dcm references plan 1.2.3 which is not in the folder".
  std::vector<std::string> problems;

  /// The RTPLAN SOP instance UID, else the plan UID the dose refers to, else "".
  std::string plan_uid() const;
  std::string plan_label() const;
};

/// Groups the index into bundles: one per RTPLAN; RTDOSE files whose plan is not in the folder form
/// their own bundle and are linked to the structure set with the same FrameOfReferenceUID when exactly
/// one exists. When the folder holds no plan and no dose, each RTSTRUCT forms a bundle.
std::vector<PlanBundle> find_plans(const DicomIndex& index);

/// The bundle of plan_uid (matched against plan_uid()), or the only bundle when plan_uid is not
/// given. Errors list every candidate UID and label when the choice is ambiguous or unknown.
Expected<PlanBundle> select_plan(const std::vector<PlanBundle>& bundles,
                                 std::optional<std::string> plan_uid);

}  // namespace sbrtkit
