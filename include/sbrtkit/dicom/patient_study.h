#pragma once
/// The patient and study an existing image belongs to, for objects sbrtkit derives from it (the lesions
/// RTSTRUCT over the planning CT, the Spatial Registration of a response assessment): written with
/// these attributes, they land in the planning study of the same patient when imported.
///
///   auto study = read_patient_study(planning_ct_files.front());
///   write_rtstruct("lesions_rtstruct.dcm", *study, structures, planning_ct_reference);

#include <filesystem>

#include "sbrtkit/dicom/rt_writer.h"
#include "sbrtkit/expected.h"

namespace sbrtkit {

/// PatientName, PatientID, PatientBirthDate, PatientSex, PatientWeight/Size (when present), the study's
/// UID, date, time, ID, accession number and description, and the file's FrameOfReferenceUID, converted
/// to UTF-8 when the file declares another character set (what the writers declare). Errors: not DICOM,
/// no StudyInstanceUID or FrameOfReferenceUID (each named with the file).
Expected<PatientStudy> read_patient_study(const std::filesystem::path& image_file);

/// The SOP class, series and instance UIDs of an image series' files in slice order, for
/// ReferencedSeries of an RTSTRUCT drawn on it.
Expected<ReferencedSeries> read_referenced_series(const std::vector<std::filesystem::path>& files_in_slice_order);

}  // namespace sbrtkit
