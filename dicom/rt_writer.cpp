#include "sbrtkit/dicom/rt_writer.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

#include "dicom_common.h"

namespace sbrtkit {

using detail::ds_text;

std::string make_uid() {
  char buf[100];
  dcmGenerateUniqueIdentifier(buf, SITE_INSTANCE_UID_ROOT);
  return buf;
}

std::string make_uid(std::string_view seed) {
  // Two FNV-1a 64-bit hashes with different offset bases form a 128-bit number, written in decimal
  // under the "2.25" arc (at most 39 digits, so the UID stays within 64 characters).
  const auto fnv = [&](std::uint64_t h) {
    for (unsigned char c : seed) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
    return h;
  };
  __extension__ using u128 = unsigned __int128;
  u128 value = (u128(fnv(0xcbf29ce484222325ULL)) << 64) | u128(fnv(0x84222325cbf29ce4ULL ^ seed.size()));
  if (value == 0) value = 1;
  std::string digits;
  while (value != 0) {
    digits.push_back(char('0' + int(value % 10)));
    value /= 10;
  }
  std::reverse(digits.begin(), digits.end());
  return "2.25." + digits;
}

namespace {

void put(DcmItem* item, const DcmTagKey& key, const std::string& value) {
  item->putAndInsertString(key, value.c_str());
}

DcmItem* append_item(DcmItem* parent, const DcmTagKey& sequence) {
  DcmItem* item = nullptr;
  parent->findOrCreateSequenceItem(sequence, item, -2);
  return item;
}

std::string study_uid(const PatientStudy& st) {
  if (!st.study_instance_uid.empty()) return st.study_instance_uid;
  return make_uid((st.uid_seed.empty() ? st.patient_id : st.uid_seed) + "/study");
}

std::string frame_of_reference_uid(const PatientStudy& st) {
  if (!st.frame_of_reference_uid.empty()) return st.frame_of_reference_uid;
  return make_uid((st.uid_seed.empty() ? st.patient_id : st.uid_seed) + "/frame-of-reference");
}

std::string series_uid(const PatientStudy& st, const SeriesOptions& s, const std::string& modality) {
  if (!s.series_instance_uid.empty()) return s.series_instance_uid;
  if (st.uid_seed.empty()) return make_uid();
  return make_uid(fmt::format("{}/{}/series/{}/{}", st.uid_seed, modality, s.series_number, s.series_description));
}

struct Header {
  std::string modality, sop_class_uid, sop_instance_uid, series_uid, for_uid;  // for_uid "" = no FoR module
  const SeriesOptions* series = nullptr;
};

/// Patient, General Study, (RT/General) Series, Frame of Reference, General Equipment, SOP Common.
void put_common(DcmItem* ds, const PatientStudy& st, const Header& h) {
  // sbrtkit's strings are UTF-8; declaring Latin-1 here would make every non-ASCII name read back wrong.
  put(ds, DCM_SpecificCharacterSet, "ISO_IR 192");
  put(ds, DCM_SOPClassUID, h.sop_class_uid);
  put(ds, DCM_SOPInstanceUID, h.sop_instance_uid);
  put(ds, DCM_InstanceCreationDate, st.study_date);
  put(ds, DCM_InstanceCreationTime, st.study_time);
  put(ds, DCM_StudyDate, st.study_date);
  put(ds, DCM_StudyTime, st.study_time);
  put(ds, DCM_AccessionNumber, st.accession_number);
  put(ds, DCM_Modality, h.modality);
  put(ds, DCM_Manufacturer, st.manufacturer);
  put(ds, DCM_ReferringPhysicianName, "");
  if (!st.study_description.empty()) put(ds, DCM_StudyDescription, st.study_description);
  if (!h.series->series_description.empty()) put(ds, DCM_SeriesDescription, h.series->series_description);
  put(ds, DCM_PatientName, st.patient_name);
  put(ds, DCM_PatientID, st.patient_id);
  put(ds, DCM_PatientBirthDate, st.birth_date);
  put(ds, DCM_PatientSex, st.sex);
  if (st.height_m) put(ds, DCM_PatientSize, ds_text(*st.height_m));
  if (st.weight_kg) put(ds, DCM_PatientWeight, ds_text(*st.weight_kg));
  put(ds, DCM_StudyInstanceUID, study_uid(st));
  put(ds, DCM_SeriesInstanceUID, h.series_uid);
  put(ds, DCM_StudyID, st.study_id);
  put(ds, DCM_SeriesNumber, std::to_string(h.series->series_number));
  if (!h.for_uid.empty()) {
    put(ds, DCM_FrameOfReferenceUID, h.for_uid);
    put(ds, DCM_PositionReferenceIndicator, "");
  }
}

/// Writes to a temporary file next to `path`, then renames it into place.
Status save_atomic(DcmFileFormat& ff, const std::filesystem::path& path, const WriteFormat& format) {
  detail::quiet_dcmtk();
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  static std::atomic<unsigned> counter{0};
  std::filesystem::path tmp = path;
  tmp += fmt::format(".tmp-{}-{}", static_cast<long>(::getpid()), counter++);
  const E_TransferSyntax xfer = format.explicit_vr ? EXS_LittleEndianExplicit : EXS_LittleEndianImplicit;
  const OFCondition cond = ff.saveFile(tmp.string().c_str(), xfer, EET_ExplicitLength, EGL_recalcGL, EPD_noChange,
                                       0, 0, format.meta_header ? EWM_createNewMeta : EWM_dataset);
  if (cond.bad()) {
    std::filesystem::remove(tmp, ec);
    return Error::io(path.string(), std::string("cannot write DICOM file: ") + cond.text());
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return Error::io(path.string(), "cannot rename the temporary file into place: " + ec.message());
  }
  return ok();
}

/// The grid's third axis must be the row x column normal (either sign).
Status check_stackable(const ImageGeometry& g, const std::string& what) {
  const Vec3 n = cross(g.axes()[0], g.axes()[1]);
  // Axes are normalised doubles: anything but a (near) exact parallel is a sheared grid DICOM cannot encode.
  if (std::abs(std::abs(dot(n, g.axes()[2])) - 1) > 1e-9 || std::abs(dot(g.axes()[0], g.axes()[1])) > 1e-9)
    return Error::bad_argument(what, "orthonormal axes with axes[2] = +-(axes[0] x axes[1])", "a sheared grid");
  if (g.size()[0] < 1 || g.size()[1] < 1 || g.size()[2] < 1 || g.size()[0] > 65535 || g.size()[1] > 65535)
    return Error::bad_argument(what, "1..65535 rows and columns and at least one slice",
                               fmt::format("{}x{}x{}", g.size()[0], g.size()[1], g.size()[2]));
  return ok();
}

void put_image_plane(DcmItem* ds, const ImageGeometry& g, PatientPoint position) {
  const Vec3 r = g.axes()[0], c = g.axes()[1];
  put(ds, DCM_ImageOrientationPatient, ds_text(std::vector<double>{r.x, r.y, r.z, c.x, c.y, c.z}));
  put(ds, DCM_ImagePositionPatient, ds_text(std::vector<double>{position.x, position.y, position.z}));
  // PixelSpacing is row spacing (between rows, along j) \ column spacing (along i).
  put(ds, DCM_PixelSpacing, ds_text(std::vector<double>{g.spacing_mm().y, g.spacing_mm().x}));
  put(ds, DCM_SliceThickness, ds_text(g.spacing_mm().z));
  ds->putAndInsertUint16(DCM_Rows, static_cast<Uint16>(g.size()[1]));
  ds->putAndInsertUint16(DCM_Columns, static_cast<Uint16>(g.size()[0]));
}

void put_pixel_format(DcmItem* ds, int bits, bool is_signed) {
  ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
  put(ds, DCM_PhotometricInterpretation, "MONOCHROME2");
  ds->putAndInsertUint16(DCM_BitsAllocated, static_cast<Uint16>(bits));
  ds->putAndInsertUint16(DCM_BitsStored, static_cast<Uint16>(bits));
  ds->putAndInsertUint16(DCM_HighBit, static_cast<Uint16>(bits - 1));
  ds->putAndInsertUint16(DCM_PixelRepresentation, is_signed ? 1 : 0);
}

void put_words16(DcmItem* ds, const std::vector<std::uint16_t>& words) {
  ds->putAndInsertUint16Array(DCM_PixelData, words.data(), static_cast<unsigned long>(words.size()));
}

std::string time_of(const std::string& datetime) { return datetime.size() > 8 ? datetime.substr(8) : ""; }

}  // namespace

Expected<WrittenSeries> write_ct_series(const std::filesystem::path& dir, const PatientStudy& study,
                                        const Volume<float>& hu, const CtWriteOptions& options) {
  const ImageGeometry& g = hu.geometry;
  if (auto st = check_stackable(g, "CT volume"); !st) return st.error();
  if (!(options.rescale_slope > 0)) return Error::bad_argument("rescale_slope", "> 0", ds_text(options.rescale_slope));
  WrittenSeries out;
  out.series_instance_uid = series_uid(study, options.series, "CT");
  out.sop_class_uid = UID_CTImageStorage;
  const std::size_t per_slice = static_cast<std::size_t>(g.size()[0] * g.size()[1]);
  for (std::int64_t k = 0; k < g.size()[2]; ++k) {
    DcmFileFormat ff;
    DcmDataset* ds = ff.getDataset();
    const std::string sop = make_uid(fmt::format("{}/{}", out.series_instance_uid, k));
    put_common(ds, study, {"CT", UID_CTImageStorage, sop, out.series_instance_uid, frame_of_reference_uid(study),
                           &options.series});
    put(ds, DCM_PatientPosition, options.patient_position);
    put(ds, DCM_Laterality, "");
    put(ds, DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL");
    put(ds, DCM_InstanceNumber, std::to_string(k + 1));
    put(ds, DCM_ContentDate, study.study_date);
    put(ds, DCM_ContentTime, study.study_time);
    put(ds, DCM_AcquisitionNumber, "1");
    put(ds, DCM_KVP, "120");
    put_image_plane(ds, g, g.to_patient(VoxelIndex{0, 0, k}));
    put_pixel_format(ds, 16, false);
    put(ds, DCM_RescaleIntercept, ds_text(options.rescale_intercept));
    put(ds, DCM_RescaleSlope, ds_text(options.rescale_slope));
    put(ds, DCM_RescaleType, "HU");
    std::vector<std::uint16_t> words(per_slice);
    for (std::size_t n = 0; n < per_slice; ++n) {
      const double v = hu.voxels[static_cast<std::size_t>(k) * per_slice + n];
      const double stored = std::round((v - options.rescale_intercept) / options.rescale_slope);
      words[n] = static_cast<std::uint16_t>(std::clamp(stored, 0.0, 65535.0));
    }
    put_words16(ds, words);
    const auto path = dir / fmt::format("CT_{:04d}.dcm", k);
    if (auto st = save_atomic(ff, path, options.series.format); !st) return st.error();
    out.sop_instance_uids.push_back(sop);
    out.files.push_back(path);
  }
  return out;
}

Expected<WrittenSeries> write_pet_series(const std::filesystem::path& dir, const PatientStudy& study,
                                         const Volume<float>& activity, const PetWriteOptions& options) {
  const ImageGeometry& g = activity.geometry;
  if (auto st = check_stackable(g, "PET volume"); !st) return st.error();
  WrittenSeries out;
  out.series_instance_uid = series_uid(study, options.series, "PT");
  out.sop_class_uid = UID_PositronEmissionTomographyImageStorage;
  const std::string for_uid =
      options.frame_of_reference_uid.empty() ? frame_of_reference_uid(study) : options.frame_of_reference_uid;
  const std::size_t per_slice = static_cast<std::size_t>(g.size()[0] * g.size()[1]);
  for (std::int64_t k = 0; k < g.size()[2]; ++k) {
    DcmFileFormat ff;
    DcmDataset* ds = ff.getDataset();
    const std::string sop = make_uid(fmt::format("{}/{}", out.series_instance_uid, k));
    put_common(ds, study, {"PT", UID_PositronEmissionTomographyImageStorage, sop, out.series_instance_uid, for_uid,
                           &options.series});
    put(ds, DCM_Laterality, "");
    put(ds, DCM_SeriesDate, options.series_date);
    put(ds, DCM_SeriesTime, options.series_time);
    put(ds, DCM_AcquisitionDate, options.series_date);
    put(ds, DCM_AcquisitionTime, options.series_time);
    put(ds, DCM_ContentDate, options.series_date);
    put(ds, DCM_ContentTime, options.series_time);
    // PET Series module.
    put(ds, DCM_Units, "BQML");
    put(ds, DCM_CountsSource, "EMISSION");
    put(ds, DCM_SeriesType, "STATIC\\IMAGE");
    ds->putAndInsertUint16(DCM_NumberOfSlices, static_cast<Uint16>(g.size()[2]));
    put(ds, DCM_CorrectedImage, "ATTN\\DECY");
    put(ds, DCM_DecayCorrection, "START");
    put(ds, DCM_CollimatorType, "NONE");
    // PET Isotope module.
    DcmItem* rp = append_item(ds, DCM_RadiopharmaceuticalInformationSequence);
    DcmItem* nuclide = append_item(rp, DCM_RadionuclideCodeSequence);
    put(nuclide, DCM_CodeValue, options.radionuclide_code_value);
    put(nuclide, DCM_CodingSchemeDesignator, "SCT");
    put(nuclide, DCM_CodeMeaning, options.radionuclide_code_meaning);
    put(rp, DCM_Radiopharmaceutical, options.radiopharmaceutical);
    put(rp, DCM_RadiopharmaceuticalStartTime, time_of(options.radiopharmaceutical_start_datetime));
    put(rp, DCM_RadiopharmaceuticalStartDateTime, options.radiopharmaceutical_start_datetime);
    put(rp, DCM_RadionuclideTotalDose, ds_text(options.injected_dose_bq));
    put(rp, DCM_RadionuclideHalfLife, ds_text(options.half_life_s));
    put(rp, DCM_RadionuclidePositronFraction, ds_text(options.positron_fraction));
    // NM/PET Patient Orientation module (type 2 sequences, left empty; PatientPosition must then be absent).
    ds->insertEmptyElement(DCM_PatientOrientationCodeSequence);
    ds->insertEmptyElement(DCM_PatientGantryRelationshipCodeSequence);
    // General Image + PET Image modules.
    put(ds, DCM_ImageType, "ORIGINAL\\PRIMARY");
    put(ds, DCM_InstanceNumber, std::to_string(k + 1));
    ds->putAndInsertUint16(DCM_ImageIndex, static_cast<Uint16>(k + 1));
    put(ds, DCM_FrameReferenceTime, "0");
    put(ds, DCM_ActualFrameDuration, std::to_string(static_cast<long>(options.frame_duration_ms)));
    put(ds, DCM_DecayFactor, "1");
    put_image_plane(ds, g, g.to_patient(VoxelIndex{0, 0, k}));
    put_pixel_format(ds, 16, true);
    float max_abs = 0;
    for (std::size_t n = 0; n < per_slice; ++n)
      max_abs = std::max(max_abs, std::abs(activity.voxels[static_cast<std::size_t>(k) * per_slice + n]));
    const double slope = max_abs > 0 ? double(max_abs) / 32767.0 : 1.0;
    put(ds, DCM_RescaleIntercept, "0");
    put(ds, DCM_RescaleSlope, ds_text(slope));
    // Read-back uses the DS text of the slope, so quantise with exactly that value.
    const double written_slope = std::strtod(ds_text(slope).c_str(), nullptr);
    std::vector<std::uint16_t> words(per_slice);
    for (std::size_t n = 0; n < per_slice; ++n) {
      const double v = activity.voxels[static_cast<std::size_t>(k) * per_slice + n];
      const auto stored = static_cast<std::int16_t>(std::clamp(std::round(v / written_slope), -32768.0, 32767.0));
      std::memcpy(&words[n], &stored, 2);
    }
    put_words16(ds, words);
    const auto path = dir / fmt::format("PT_{:04d}.dcm", k);
    if (auto st = save_atomic(ff, path, options.series.format); !st) return st.error();
    out.sop_instance_uids.push_back(sop);
    out.files.push_back(path);
  }
  return out;
}

namespace {

const char* contour_type_text(ContourType t) {
  switch (t) {
    case ContourType::closed_planar: return "CLOSED_PLANAR";
    case ContourType::closed_planar_xor: return "CLOSEDPLANAR_XOR";
    case ContourType::open_planar: return "OPEN_PLANAR";
    case ContourType::open_nonplanar: return "OPEN_NONPLANAR";
    case ContourType::point: return "POINT";
  }
  return "CLOSED_PLANAR";
}

}  // namespace

Expected<std::string> write_rtstruct(const std::filesystem::path& file, const PatientStudy& study,
                                     const StructureSet& structures, const ReferencedSeries& images,
                                     const RtStructWriteOptions& options) {
  DcmFileFormat ff;
  DcmDataset* ds = ff.getDataset();
  const std::string series = series_uid(study, options.series, "RTSTRUCT");
  const std::string sop =
      structures.sop_instance_uid.empty() ? make_uid(series + "/instance") : structures.sop_instance_uid;
  const std::string for_uid =
      structures.frame_of_reference_uid.empty() ? frame_of_reference_uid(study) : structures.frame_of_reference_uid;
  put_common(ds, study, {"RTSTRUCT", UID_RTStructureSetStorage, sop, series, for_uid, &options.series});
  put(ds, DCM_OperatorsName, "");
  put(ds, DCM_InstanceNumber, "1");
  put(ds, DCM_StructureSetLabel, structures.label.empty() ? "SBRTKIT" : structures.label);
  put(ds, DCM_StructureSetDate, study.study_date);
  put(ds, DCM_StructureSetTime, study.study_time);

  DcmItem* for_item = append_item(ds, DCM_ReferencedFrameOfReferenceSequence);
  put(for_item, DCM_FrameOfReferenceUID, for_uid);
  if (!images.series_instance_uid.empty()) {
    DcmItem* study_item = append_item(for_item, DCM_RTReferencedStudySequence);
    put(study_item, DCM_ReferencedSOPClassUID, UID_RETIRED_DetachedStudyManagementSOPClass);
    put(study_item, DCM_ReferencedSOPInstanceUID, study_uid(study));
    DcmItem* series_item = append_item(study_item, DCM_RTReferencedSeriesSequence);
    put(series_item, DCM_SeriesInstanceUID, images.series_instance_uid);
    for (const auto& uid : images.sop_instance_uids) {
      DcmItem* image = append_item(series_item, DCM_ContourImageSequence);
      put(image, DCM_ReferencedSOPClassUID, images.sop_class_uid);
      put(image, DCM_ReferencedSOPInstanceUID, uid);
    }
  }

  if (structures.structures.empty()) ds->insertEmptyElement(DCM_StructureSetROISequence);
  int observation = 1;
  for (const auto& s : structures.structures) {
    DcmItem* roi = append_item(ds, DCM_StructureSetROISequence);
    put(roi, DCM_ROINumber, std::to_string(s.roi_number));
    put(roi, DCM_ReferencedFrameOfReferenceUID, for_uid);
    put(roi, DCM_ROIName, s.name);
    put(roi, DCM_ROIGenerationAlgorithm, options.roi_generation_algorithm);

    DcmItem* rc = append_item(ds, DCM_ROIContourSequence);
    const auto color = s.color.value_or(std::array<int, 3>{255, 0, 0});
    put(rc, DCM_ROIDisplayColor, fmt::format("{}\\{}\\{}", color[0], color[1], color[2]));
    int contour_number = 1;
    for (const auto& c : s.contours) {
      DcmItem* item = append_item(rc, DCM_ContourSequence);
      put(item, DCM_ContourNumber, std::to_string(contour_number++));
      put(item, DCM_ContourGeometricType, contour_type_text(c.type));
      put(item, DCM_NumberOfContourPoints, std::to_string(c.points.size()));
      std::vector<double> xyz;
      xyz.reserve(c.points.size() * 3);
      for (const auto& p : c.points) xyz.insert(xyz.end(), {p.x, p.y, p.z});
      put(item, DCM_ContourData, ds_text(xyz));
    }
    put(rc, DCM_ReferencedROINumber, std::to_string(s.roi_number));

    DcmItem* obs = append_item(ds, DCM_RTROIObservationsSequence);
    put(obs, DCM_ObservationNumber, std::to_string(observation++));
    put(obs, DCM_ReferencedROINumber, std::to_string(s.roi_number));
    put(obs, DCM_RTROIInterpretedType, s.interpreted_type);
    put(obs, DCM_ROIInterpreter, "");
  }
  if (structures.structures.empty()) {
    ds->insertEmptyElement(DCM_ROIContourSequence);
    ds->insertEmptyElement(DCM_RTROIObservationsSequence);
  }
  if (auto st = save_atomic(ff, file, options.series.format); !st) return st.error();
  return sop;
}

Expected<std::string> write_rtdose(const std::filesystem::path& file, const PatientStudy& study,
                                   const DoseVolume& dose, const RtDoseWriteOptions& options) {
  const ImageGeometry& g = dose.geometry;
  if (auto st = check_stackable(g, "dose grid"); !st) return st.error();
  if (options.bits_allocated != 16 && options.bits_allocated != 32)
    return Error::bad_argument("bits_allocated", "16 or 32", std::to_string(options.bits_allocated));
  const Vec3 normal = cross(g.axes()[0], g.axes()[1]);
  const bool increasing = options.frame_order == RtDoseWriteOptions::FrameOrder::increasing;
  const bool natural_increasing = dot(g.axes()[2], normal) > 0;
  const bool reverse = increasing != natural_increasing;
  const std::int64_t frames = g.size()[2];
  const auto k_of_frame = [&](std::int64_t f) { return reverse ? frames - 1 - f : f; };
  const PatientPoint ipp = g.to_patient(VoxelIndex{0, 0, k_of_frame(0)});

  const bool absolute = options.offset_form == RtDoseWriteOptions::OffsetForm::absolute;
  if (absolute && !(g.axes()[0] == Vec3{1, 0, 0} && g.axes()[1] == Vec3{0, 1, 0}))
    return Error::bad_argument("offset_form", "ImageOrientationPatient 1\\0\\0\\0\\1\\0 for the absolute form",
                               "another orientation");
  std::vector<double> offsets;
  for (std::int64_t f = 0; f < frames; ++f) {
    const double rel = double(f) * g.spacing_mm().z * (increasing ? 1.0 : -1.0);
    offsets.push_back(absolute ? ipp.z + rel : rel);
  }

  const bool is_signed = options.signed_pixels;
  const int bits = options.bits_allocated;
  const double max_stored = is_signed ? std::ldexp(1.0, bits - 1) - 1 : std::ldexp(1.0, bits) - 1;
  const double min_stored = is_signed ? -std::ldexp(1.0, bits - 1) : 0.0;
  float max_abs = 0, min_value = 0;
  for (float v : dose.voxels) {
    max_abs = std::max(max_abs, std::abs(v));
    min_value = std::min(min_value, v);
  }
  if (!is_signed && min_value < 0)
    return Error::bad_argument("signed_pixels", "true for a dose grid with negative values", "false");
  double scaling = options.dose_grid_scaling.value_or(max_abs > 0 ? double(max_abs) / max_stored : 1.0);
  if (!(scaling > 0)) return Error::bad_argument("dose_grid_scaling", "> 0", ds_text(scaling));
  scaling = std::strtod(ds_text(scaling).c_str(), nullptr);  // quantise with the value a reader will see

  DcmFileFormat ff;
  DcmDataset* ds = ff.getDataset();
  const std::string series = series_uid(study, options.series, "RTDOSE");
  const std::string sop = options.sop_instance_uid.empty() ? make_uid(series + "/instance") : options.sop_instance_uid;
  put_common(ds, study, {"RTDOSE", UID_RTDoseStorage, sop, series, frame_of_reference_uid(study), &options.series});
  put(ds, DCM_OperatorsName, "");
  put(ds, DCM_InstanceNumber, "1");
  put(ds, DCM_ContentDate, study.study_date);
  put(ds, DCM_ContentTime, study.study_time);
  put_image_plane(ds, g, ipp);
  put_pixel_format(ds, bits, is_signed);
  put(ds, DCM_NumberOfFrames, std::to_string(frames));
  ds->putAndInsertTagKey(DCM_FrameIncrementPointer, DCM_GridFrameOffsetVector);
  put(ds, DCM_DoseUnits, options.relative_units ? "RELATIVE" : "GY");
  put(ds, DCM_DoseType, options.dose_type);
  put(ds, DCM_DoseSummationType, options.summation_type);
  put(ds, DCM_GridFrameOffsetVector, ds_text(offsets));
  put(ds, DCM_DoseGridScaling, ds_text(scaling));
  if (!options.referenced_plan_uid.empty()) {
    DcmItem* ref = append_item(ds, DCM_ReferencedRTPlanSequence);
    put(ref, DCM_ReferencedSOPClassUID, UID_RTPlanStorage);
    put(ref, DCM_ReferencedSOPInstanceUID, options.referenced_plan_uid);
  }

  const std::size_t per_frame = static_cast<std::size_t>(g.size()[0] * g.size()[1]);
  const std::size_t width = static_cast<std::size_t>(bits / 8);
  std::vector<std::uint16_t> words(per_frame * static_cast<std::size_t>(frames) * width / 2);
  auto* bytes = reinterpret_cast<unsigned char*>(words.data());
  for (std::int64_t f = 0; f < frames; ++f) {
    const std::size_t src = static_cast<std::size_t>(k_of_frame(f)) * per_frame;
    const std::size_t dst = static_cast<std::size_t>(f) * per_frame;
    for (std::size_t n = 0; n < per_frame; ++n) {
      const double stored = std::clamp(std::round(double(dose.voxels[src + n]) / scaling), min_stored, max_stored);
      if (bits == 16) {
        const auto w = is_signed ? static_cast<std::uint16_t>(static_cast<std::int16_t>(stored))
                                 : static_cast<std::uint16_t>(stored);
        std::memcpy(bytes + (dst + n) * 2, &w, 2);
      } else {
        const auto w = is_signed ? static_cast<std::uint32_t>(static_cast<std::int32_t>(stored))
                                 : static_cast<std::uint32_t>(stored);
        std::memcpy(bytes + (dst + n) * 4, &w, 4);
      }
    }
  }
  put_words16(ds, words);
  if (auto st = save_atomic(ff, file, options.series.format); !st) return st.error();
  return sop;
}

Expected<std::string> write_rtplan(const std::filesystem::path& file, const PatientStudy& study, const PlanInfo& plan,
                                   const RtPlanWriteOptions& options) {
  DcmFileFormat ff;
  DcmDataset* ds = ff.getDataset();
  const std::string series = series_uid(study, options.series, "RTPLAN");
  const std::string sop = plan.sop_instance_uid.empty() ? make_uid(series + "/instance") : plan.sop_instance_uid;
  const std::string for_uid =
      plan.frame_of_reference_uid.empty() ? frame_of_reference_uid(study) : plan.frame_of_reference_uid;
  put_common(ds, study, {"RTPLAN", UID_RTPlanStorage, sop, series, for_uid, &options.series});
  put(ds, DCM_OperatorsName, "");
  put(ds, DCM_InstanceNumber, "1");
  put(ds, DCM_RTPlanLabel, plan.label.empty() ? "PLAN" : plan.label);
  if (!plan.name.empty()) put(ds, DCM_RTPlanName, plan.name);
  put(ds, DCM_RTPlanDate, study.study_date);
  put(ds, DCM_RTPlanTime, study.study_time);
  if (!plan.referenced_structure_set_uid.empty()) {
    put(ds, DCM_RTPlanGeometry, "PATIENT");
    DcmItem* ref = append_item(ds, DCM_ReferencedStructureSetSequence);
    put(ref, DCM_ReferencedSOPClassUID, UID_RTStructureSetStorage);
    put(ref, DCM_ReferencedSOPInstanceUID, plan.referenced_structure_set_uid);
  } else {
    put(ds, DCM_RTPlanGeometry, "TREATMENT_DEVICE");
  }
  for (const auto& r : plan.dose_references) {
    DcmItem* item = append_item(ds, DCM_DoseReferenceSequence);
    put(item, DCM_DoseReferenceNumber, std::to_string(r.number));
    put(item, DCM_DoseReferenceStructureType,
        !r.structure_type.empty() ? r.structure_type : r.referenced_roi_number ? "VOLUME" : "SITE");
    if (!r.description.empty()) put(item, DCM_DoseReferenceDescription, r.description);
    if (r.referenced_roi_number) put(item, DCM_ReferencedROINumber, std::to_string(*r.referenced_roi_number));
    put(item, DCM_DoseReferenceType, r.type.empty() ? "TARGET" : r.type);
    if (r.target_prescription_gy) put(item, DCM_TargetPrescriptionDose, ds_text(*r.target_prescription_gy));
  }
  DcmItem* group = append_item(ds, DCM_FractionGroupSequence);
  put(group, DCM_FractionGroupNumber, "1");
  put(group, DCM_NumberOfFractionsPlanned, plan.fractions ? std::to_string(*plan.fractions) : "");
  put(group, DCM_NumberOfBeams, "0");
  put(group, DCM_NumberOfBrachyApplicationSetups, "0");
  if (auto st = save_atomic(ff, file, options.series.format); !st) return st.error();
  return sop;
}

Expected<std::string> write_spatial_registration(const std::filesystem::path& file, const PatientStudy& study,
                                                 const SpatialRegistrationWriteOptions& options) {
  DcmFileFormat ff;
  DcmDataset* ds = ff.getDataset();
  const std::string series = series_uid(study, options.series, "REG");
  const std::string sop = make_uid(series + "/instance");
  const std::string common = frame_of_reference_uid(study);
  put_common(ds, study, {"REG", UID_SpatialRegistrationStorage, sop, series, common, &options.series});
  put(ds, DCM_Laterality, "");  // General Series, type 2C: empty for an unpaired body part
  put(ds, DCM_InstanceNumber, "1");
  put(ds, DCM_ContentDate, study.study_date);
  put(ds, DCM_ContentTime, study.study_time);
  put(ds, DCM_ContentLabel, "REGISTRATION");
  put(ds, DCM_ContentDescription, "sbrtkit rigid registration");
  put(ds, DCM_ContentCreatorName, "");
  const auto put_item = [&](const std::string& uid, const std::vector<RigidMap>& maps) {
    DcmItem* reg = append_item(ds, DCM_RegistrationSequence);
    put(reg, DCM_FrameOfReferenceUID, uid);
    DcmItem* mreg = append_item(reg, DCM_MatrixRegistrationSequence);
    mreg->insertEmptyElement(DCM_RegistrationTypeCodeSequence);
    for (const RigidMap& m : maps) {
      DcmItem* mat = append_item(mreg, DCM_MatrixSequence);
      const auto& r = m.rotation;
      const auto& t = m.translation_mm;
      const std::string values = fmt::format("{}\\{}\\{}\\{}\\{}\\{}\\{}\\{}\\{}\\{}\\{}\\{}\\0\\0\\0\\1",
                                             ds_text(r[0]), ds_text(r[1]), ds_text(r[2]), ds_text(t.x), ds_text(r[3]),
                                             ds_text(r[4]), ds_text(r[5]), ds_text(t.y), ds_text(r[6]), ds_text(r[7]),
                                             ds_text(r[8]), ds_text(t.z));
      put(mat, DCM_FrameOfReferenceTransformationMatrix, values);
      put(mat, DCM_FrameOfReferenceTransformationMatrixType, options.matrix_type);
    }
  };
  put_item(common, {RigidMap{}});
  for (const auto& f : options.frames) put_item(f.frame_of_reference_uid, f.to_common);
  if (auto st = save_atomic(ff, file, options.series.format); !st) return st.error();
  return sop;
}

}  // namespace sbrtkit
