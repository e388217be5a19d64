#pragma once
/// DICOM writers for CT, PET, RTSTRUCT, RTDOSE, RTPLAN and Spatial Registration objects, used by the tests and by the
/// synthetic-patient generator. Objects carry the mandatory modules of their IOD (Patient, General
/// Study, series, Frame of Reference, General Equipment, SOP Common and the RT/image modules) so that
/// dciodvfy accepts them. Files are written atomically: a temporary file in the same folder is renamed
/// into place, so a failed write leaves nothing behind.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/plan.h"
#include "sbrtkit/registration.h"
#include "sbrtkit/structure.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

/// A new, globally unique UID (DCMTK's generator under its site root).
std::string make_uid();
/// A UID derived only from seed ("2.25." + a 128-bit hash in decimal): the same seed always gives the
/// same UID, so a phantom can be regenerated bit for bit.
std::string make_uid(std::string_view seed);

/// How the bytes are laid out on disk.
struct WriteFormat {
  bool meta_header = true;  // false: bare dataset, no preamble and no group 0002
  bool explicit_vr = true;  // false: implicit VR little endian
};

/// Patient and study attributes shared by every object of one synthetic patient.
struct PatientStudy {
  std::string patient_name = "SBRTKIT^PHANTOM";
  std::string patient_id = "SBRTKIT0001";
  std::string birth_date = "19500101";  // YYYYMMDD
  std::string sex = "M";                // M, F, O
  std::optional<double> weight_kg = 80.0;
  std::optional<double> height_m = 1.8;
  /// When empty: make_uid(uid_seed + "/study"), or of patient_id when uid_seed is empty too, so that
  /// every object written for this PatientStudy lands in the same study.
  std::string study_instance_uid;
  std::string study_date = "20240101";
  std::string study_time = "090000";
  std::string study_id = "1";
  std::string accession_number;
  std::string study_description = "sbrtkit synthetic study";
  /// Shared by CT, RTSTRUCT, RTDOSE and RTPLAN. When empty, derived like study_instance_uid.
  std::string frame_of_reference_uid;
  /// When non-empty, a series UID a writer has to invent is make_uid(uid_seed + "/" + modality + ...),
  /// so the same inputs produce the same files; when empty, invented series UIDs are random. SOP instance
  /// UIDs are always derived from the series UID.
  std::string uid_seed;
  std::string manufacturer = "sbrtkit";
};

/// Options common to every series a writer creates.
struct SeriesOptions {
  WriteFormat format;
  std::string series_instance_uid;  // invented when empty
  int series_number = 1;
  std::string series_description;
};

/// What an image-series writer produced, in slice order (k = 0, 1, ...).
struct WrittenSeries {
  std::string series_instance_uid;
  std::string sop_class_uid;
  std::vector<std::string> sop_instance_uids;
  std::vector<std::filesystem::path> files;
};

struct CtWriteOptions {
  SeriesOptions series;
  std::string patient_position = "HFS";  // PatientPosition (0018,5100)
  /// Stored value = round((HU - intercept) / slope) as unsigned 16-bit; values outside clamp.
  double rescale_slope = 1.0;
  double rescale_intercept = -1024.0;
};

/// CT Image Storage, one file per slice "CT_<k>.dcm" in dir (created if needed). The volume's third
/// axis must be parallel (either sign) to axes[0] x axes[1]; any orientation otherwise.
Expected<WrittenSeries> write_ct_series(const std::filesystem::path& dir, const PatientStudy& study,
                                        const Volume<float>& hu, const CtWriteOptions& options = {});

struct PetWriteOptions {
  SeriesOptions series;
  std::string frame_of_reference_uid;  // "" = study.frame_of_reference_uid
  std::string series_date = "20240101";  // also the acquisition date/time
  std::string series_time = "100000";
  std::string radiopharmaceutical_start_datetime = "20240101090000";  // YYYYMMDDHHMMSS
  double injected_dose_bq = 200e6;      // RadionuclideTotalDose (0018,1074)
  double half_life_s = 6586.2;          // RadionuclideHalfLife (0018,1075), F-18
  double positron_fraction = 0.9673;    // RadionuclidePositronFraction (0018,1076), F-18
  /// RadionuclideCodeSequence (0054,0300) item, SNOMED CT ("SCT"); the default is F-18.
  std::string radionuclide_code_value = "77004003";
  std::string radionuclide_code_meaning = "^18^Fluorine";
  std::string radiopharmaceutical = "Fluorodeoxyglucose";
  double frame_duration_ms = 120000;
};

/// PET Image Storage, one file per slice "PT_<k>.dcm", activity concentration in Bq/ml (Units BQML,
/// DecayCorrection START, CorrectedImage ATTN\DECY). Each slice gets its own RescaleSlope =
/// max|value| / 32767 over signed 16-bit, so a read-back value is within half a slope of the input.
/// The NM/PET Patient Orientation sequences are left empty, so PatientPosition is not written (the IOD
/// forbids both together); the image orientation is carried by ImageOrientationPatient.
Expected<WrittenSeries> write_pet_series(const std::filesystem::path& dir, const PatientStudy& study,
                                         const Volume<float>& bq_per_ml,
                                         const PetWriteOptions& options = {});

/// The image series an RTSTRUCT was drawn on.
struct ReferencedSeries {
  std::string series_instance_uid;
  std::string sop_class_uid;
  std::vector<std::string> sop_instance_uids;
};

struct RtStructWriteOptions {
  SeriesOptions series;
  std::string roi_generation_algorithm = "MANUAL";  // ROIGenerationAlgorithm (3006,0036): AUTOMATIC, SEMIAUTOMATIC, MANUAL
};

/// RT Structure Set Storage. Uses structures.sop_instance_uid and frame_of_reference_uid when set
/// (else invented / study FoR); structures.label becomes StructureSetLabel ("SBRTKIT" when empty).
/// Returns the SOP instance UID written.
Expected<std::string> write_rtstruct(const std::filesystem::path& file, const PatientStudy& study,
                                     const StructureSet& structures, const ReferencedSeries& images,
                                     const RtStructWriteOptions& options = {});

struct RtDoseWriteOptions {
  SeriesOptions series;
  std::string sop_instance_uid;     // invented when empty
  std::string referenced_plan_uid;  // ReferencedRTPlanSequence, omitted when empty
  enum class OffsetForm { relative, absolute } offset_form = OffsetForm::relative;
  enum class FrameOrder { increasing, decreasing } frame_order = FrameOrder::increasing;
  int bits_allocated = 32;  // 16 or 32
  bool signed_pixels = false;
  bool relative_units = false;  // DoseUnits RELATIVE instead of GY
  std::string dose_type = "PHYSICAL";
  std::string summation_type = "PLAN";
  /// DoseGridScaling; when unset, max|dose| / largest stored value.
  std::optional<double> dose_grid_scaling;
};

/// RT Dose Storage, multi-frame. Frames are written so that GridFrameOffsetVector increases or
/// decreases as asked, whatever the sign of dose.geometry.axes()[2]; the absolute offset form needs
/// ImageOrientationPatient 1\0\0\0\1\0. Returns the SOP instance UID written.
Expected<std::string> write_rtdose(const std::filesystem::path& file, const PatientStudy& study,
                                   const DoseVolume& dose, const RtDoseWriteOptions& options = {});

struct RtPlanWriteOptions {
  SeriesOptions series;
};

/// RT Plan Storage with RT General Plan (RTPlanGeometry PATIENT when a structure set is referenced,
/// else TREATMENT_DEVICE), RT Prescription and RT Fraction Scheme (no beams). Uses plan.sop_instance_uid
/// when set. Returns the SOP instance UID written.
Expected<std::string> write_rtplan(const std::filesystem::path& file, const PatientStudy& study,
                                   const PlanInfo& plan, const RtPlanWriteOptions& options = {});

struct SpatialRegistrationWriteOptions {
  SeriesOptions series;
  /// Frames registered into the object's own frame (study.frame_of_reference_uid): each frame's UID and
  /// the maps from its coordinates into the common frame, applied in order (one matrix each).
  struct Frame {
    std::string frame_of_reference_uid;
    std::vector<RigidMap> to_common;
  };
  std::vector<Frame> frames;
  /// FrameOfReferenceTransformationMatrixType; anything but RIGID is for tests of the reader's refusal.
  std::string matrix_type = "RIGID";
};

/// Spatial Registration Storage (REG): Spatial Registration Series and Spatial Registration modules, one
/// RegistrationSequence item per frame plus an identity item for the common frame. Returns the SOP
/// instance UID written.
Expected<std::string> write_spatial_registration(const std::filesystem::path& file, const PatientStudy& study,
                                                 const SpatialRegistrationWriteOptions& options);

}  // namespace sbrtkit
