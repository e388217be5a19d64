#pragma once
/// Standardised uptake value of a PET series, following the QIBA / UW pseudocode (IBSI SUV notes):
///
///   BQML:  SUVbw = C [Bq/ml] x weight [g] / (dose [Bq] x 2^(-(t_scan - t_inj) / T_half))   (decay START)
///          SUVbw = C x weight / dose                                                    (decay ADMIN)
///   CNTS:  Philips (7053,1000) SUV scale factor: SUVbw = value x factor; or (7053,1009) activity
///          concentration scale factor: C = value x factor, then the BQML formula
///   GML:   the image already holds SUVbw (factor 1)
///
/// `value` is the rescaled pixel (stored x RescaleSlope + RescaleIntercept, slope per slice), which
/// read_image_series already applies; the whole calibration is therefore one factor per series.
/// SUL (James lean body mass) replaces the weight by LBM: male 1.10 W - 128 (W/H)^2, female
/// 1.07 W - 148 (W/H)^2 (W kg, H cm). Pure computation: the tags arrive as text, read by dicom/pet_suv.
///
///   auto cal = suv_calibration(tags, {}, SuvType::body_weight);
///   if (!cal) return cal.error();            // names the tag, e.g. "(0010,1030) PatientWeight"
///   float suv = value * static_cast<float>(cal->factor);

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

/// The attributes of a PET series the SUV depends on, as text / numbers (absent = empty / nullopt).
struct PetSuvTags {
  std::string file;               // for error messages
  std::string units;              // Units (0054,1001): BQML, CNTS, GML, ...
  std::string decay_correction;   // DecayCorrection (0054,1102): START, ADMIN, NONE
  std::string corrected_image;    // CorrectedImage (0028,0051), values joined by '\'
  std::string series_date, series_time;            // (0008,0021), (0008,0031)
  std::string acquisition_date, acquisition_time;  // (0008,0022), (0008,0032): the earliest slice
  std::string ge_scan_datetime;   // GE private (0009,100D) in block "GEMS_PETD_01", "" when absent
  std::string start_datetime;     // RadiopharmaceuticalStartDateTime (0018,1078)
  std::string start_time;         // RadiopharmaceuticalStartTime (0018,1072)
  std::optional<double> total_dose_bq;  // RadionuclideTotalDose (0018,1074)
  std::optional<double> half_life_s;    // RadionuclideHalfLife (0018,1075)
  std::optional<double> weight_kg;      // PatientWeight (0010,1030)
  std::optional<double> height_m;       // PatientSize (0010,1020)
  std::string sex;                      // PatientSex (0010,0040)
  std::optional<double> philips_suv_scale;       // (7053,1000) "Philips PET Private Group"
  std::optional<double> philips_activity_scale;  // (7053,1009)
};

/// Values from the command line that replace the header's (e.g. a missing weight).
struct SuvOverrides {
  std::optional<double> weight_kg;
  std::optional<double> injected_dose_bq;
  /// "HH:MM[:SS]" or "HHMMSS" (date of the series, midnight handled as for a time-only tag),
  /// "YYYYMMDDHHMMSS[.F]" or "YYYY-MM-DDTHH:MM[:SS]".
  std::string injection_time;
  std::optional<double> height_m;
  std::string sex;  // M or F
};

enum class SuvType {
  body_weight,      // SUVbw (g/ml)
  lean_body_mass,   // SUL, James formula
};

struct SuvCalibration {
  double factor = 1;  // SUV = rescaled pixel value x factor
  SuvType type = SuvType::body_weight;
  std::string units;                     // the series' Units
  std::optional<double> uptake_s;        // scan start - injection, when a decay was computed
  std::optional<double> decayed_dose_bq; // activity at the decay-correction reference time
  std::optional<double> mass_kg;         // weight, or LBM for SUL
  std::vector<std::string> notes;        // which tags and times were used, overrides applied
};

/// Errors (the tag is named in each): Units not BQML/CNTS/GML (unsupported); CorrectedImage without
/// ATTN and DECY; DecayCorrection not START/ADMIN; missing or non-positive weight, dose or half-life;
/// weight outside 1..500 kg; PatientSize outside 0.5..2.5 m (SUL); an injection after the scan start,
/// or more than 12 h before it with a time-only start (a midnight crossing is accepted below 12 h);
/// CNTS without either Philips factor.
Expected<SuvCalibration> suv_calibration(const PetSuvTags& tags, const SuvOverrides& overrides, SuvType type);

/// James lean body mass (kg) for weight (kg), height (cm) and sex "M" / "F".
Expected<double> james_lbm_kg(double weight_kg, double height_cm, std::string_view sex);

/// Seconds since 1970-01-01 of a DICOM DA + TM pair ("20240108", "103000.5"; also "HH:MM:SS",
/// "HHMM", "HH"). No time zone: only differences are used.
Expected<double> dicom_date_time_seconds(std::string_view date, std::string_view time);
/// Seconds since 1970-01-01 of a DICOM DT ("YYYYMMDDHHMMSS.FFFFFF", an "&ZZXX" offset is ignored;
/// at least YYYYMMDDHHMM).
Expected<double> dicom_datetime_seconds(std::string_view datetime);

/// value x factor for every voxel.
Volume<float> apply_suv(const Volume<float>& values, const SuvCalibration& calibration);

}  // namespace sbrtkit
