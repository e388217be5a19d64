// Patient and study of an existing image, for the objects sbrtkit derives from it.
#include "sbrtkit/dicom/patient_study.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>

#include "dicom_common.h"
#include "sbrtkit/dicom/image_series.h"

namespace sbrtkit {

Expected<PatientStudy> read_patient_study(const std::filesystem::path& image_file) {
  auto loaded = detail::load_dicom(image_file, true);
  if (!loaded) return loaded.error();
  // The writers declare ISO_IR 192: names in another character set are converted, so they read back
  // as they were; without a converter (DCMTK built without iconv/ICU) ASCII names still pass unchanged.
  if (loaded->dataset->tagExistsWithValue(DCM_SpecificCharacterSet)) (void)loaded->dataset->convertToUTF8();
  const detail::ItemView ds(loaded->dataset, loaded->path);
  PatientStudy st;
  st.patient_name = ds.string(DCM_PatientName);
  st.patient_id = ds.string(DCM_PatientID);
  st.birth_date = ds.string(DCM_PatientBirthDate);
  st.sex = ds.string(DCM_PatientSex);
  auto weight = ds.optional_number(DCM_PatientWeight);
  if (!weight) return weight.error();
  st.weight_kg = *weight;
  auto height = ds.optional_number(DCM_PatientSize);
  if (!height) return height.error();
  st.height_m = *height;
  auto study_uid = ds.required_string(DCM_StudyInstanceUID);
  if (!study_uid) return study_uid.error();
  st.study_instance_uid = *study_uid;
  auto frame = ds.required_string(DCM_FrameOfReferenceUID);
  if (!frame) return frame.error();
  st.frame_of_reference_uid = *frame;
  st.study_date = ds.string(DCM_StudyDate);
  st.study_time = ds.string(DCM_StudyTime);
  st.study_id = ds.string(DCM_StudyID);
  st.accession_number = ds.string(DCM_AccessionNumber);
  st.study_description = ds.string(DCM_StudyDescription);
  return st;
}

Expected<ReferencedSeries> read_referenced_series(const std::vector<std::filesystem::path>& files) {
  if (files.empty()) return Error::bad_argument("referenced image series", "at least one image file", "none");
  auto series = read_image_series(files, false);
  if (!series) return series.error();
  auto first = detail::load_dicom(files.front(), true);
  if (!first) return first.error();
  auto sop_class = detail::ItemView(first->dataset, first->path).required_string(DCM_SOPClassUID);
  if (!sop_class) return sop_class.error();
  return ReferencedSeries{series->series_instance_uid, *sop_class, series->sop_instance_uids};
}

}  // namespace sbrtkit
