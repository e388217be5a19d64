#include "sbrtkit/dicom/pet_suv.h"

#include <fmt/format.h>

#include <algorithm>

#include "dicom_common.h"

namespace sbrtkit {

using detail::ItemView;

namespace {

/// The element `element` (low byte) of the private block reserved by `creator` in `group`, if any.
std::optional<DcmTagKey> private_tag(DcmItem* item, Uint16 group, const char* creator, Uint16 element) {
  for (Uint16 block = 0x10; block <= 0xFF; ++block) {
    OFString value;
    if (item->findAndGetOFString(DcmTagKey(group, block), value).good()) {
      std::string v = value.c_str();
      while (!v.empty() && v.back() == ' ') v.pop_back();
      if (v == creator) return DcmTagKey(group, static_cast<Uint16>((block << 8) | element));
    }
  }
  return std::nullopt;
}

Expected<std::optional<double>> private_number(const ItemView& ds, Uint16 group, const char* creator,
                                               Uint16 element) {
  auto key = private_tag(ds.item(), group, creator, element);
  if (!key) return std::optional<double>{};
  auto v = ds.optional_number(*key);
  if (!v) return v.error();
  return *v;
}

}  // namespace

Expected<PetSuvTags> read_pet_suv_tags(const std::vector<std::filesystem::path>& files) {
  if (files.empty()) return Error::bad_argument("files", "at least one PET file", "none");
  PetSuvTags t;
  std::optional<double> earliest_acquisition;
  for (std::size_t n = 0; n < files.size(); ++n) {
    auto loaded = detail::load_dicom(files[n], true);
    if (!loaded) return loaded.error();
    const ItemView ds(loaded->dataset, loaded->path);
    const std::string modality = ds.string(DCM_Modality);
    if (modality != "PT") return ds.bad(DCM_Modality, "PT", "'" + modality + "'");
    const std::string units = ds.string(DCM_Units);
    const std::string decay = ds.string(DCM_DecayCorrection);
    if (n > 0) {
      if (units != t.units)
        return Error::inconsistent(loaded->path, ds.tag(DCM_Units),
                                   fmt::format("'{}' here, '{}' in {}", units, t.units, t.file));
      if (decay != t.decay_correction)
        return Error::inconsistent(loaded->path, ds.tag(DCM_DecayCorrection),
                                   fmt::format("'{}' here, '{}' in {}", decay, t.decay_correction, t.file));
    }
    // The scan start of a multi-bed or multi-slice acquisition is its earliest acquisition time.
    const std::string acq_date = ds.string(DCM_AcquisitionDate), acq_time = ds.string(DCM_AcquisitionTime);
    if (!acq_date.empty() && !acq_time.empty()) {
      auto s = dicom_date_time_seconds(acq_date, acq_time);
      if (!s) return ds.bad(DCM_AcquisitionTime, "a DICOM DA/TM pair", acq_date + " " + acq_time);
      if (!earliest_acquisition || *s < *earliest_acquisition) {
        earliest_acquisition = *s;
        t.acquisition_date = acq_date;
        t.acquisition_time = acq_time;
      }
    }
    if (n > 0) continue;

    t.file = loaded->path;
    t.units = units;
    t.decay_correction = decay;
    t.corrected_image = ds.string(DCM_CorrectedImage);
    t.series_date = ds.string(DCM_SeriesDate);
    t.series_time = ds.string(DCM_SeriesTime);
    if (auto key = private_tag(ds.item(), 0x0009, "GEMS_PETD_01", 0x0D)) t.ge_scan_datetime = ds.string(*key);
    t.sex = ds.string(DCM_PatientSex);
    auto weight = ds.optional_number(DCM_PatientWeight);
    if (!weight) return weight.error();
    t.weight_kg = *weight;
    auto size = ds.optional_number(DCM_PatientSize);
    if (!size) return size.error();
    t.height_m = *size;
    auto suv_scale = private_number(ds, 0x7053, "Philips PET Private Group", 0x00);
    if (!suv_scale) return suv_scale.error();
    t.philips_suv_scale = *suv_scale;
    auto act_scale = private_number(ds, 0x7053, "Philips PET Private Group", 0x09);
    if (!act_scale) return act_scale.error();
    t.philips_activity_scale = *act_scale;

    const auto items = ds.sequence(DCM_RadiopharmaceuticalInformationSequence);
    if (items.size() > 1)
      return Error::unsupported(loaded->path, ds.tag(DCM_RadiopharmaceuticalInformationSequence),
                                fmt::format("{} radiopharmaceuticals (one expected)", items.size()));
    if (items.size() == 1) {
      const ItemView& rp = items[0];
      t.start_datetime = rp.string(DCM_RadiopharmaceuticalStartDateTime);
      t.start_time = rp.string(DCM_RadiopharmaceuticalStartTime);
      auto dose = rp.optional_number(DCM_RadionuclideTotalDose);
      if (!dose) return dose.error();
      t.total_dose_bq = *dose;
      auto half = rp.optional_number(DCM_RadionuclideHalfLife);
      if (!half) return half.error();
      t.half_life_s = *half;
    }
  }
  return t;
}

Expected<PetSuvSeries> read_pet_suv(const std::vector<std::filesystem::path>& files, const SuvOverrides& overrides,
                                    SuvType type) {
  auto tags = read_pet_suv_tags(files);
  if (!tags) return tags.error();
  auto cal = suv_calibration(*tags, overrides, type);
  if (!cal) return cal.error();
  auto series = read_image_series(files, true);
  if (!series) return series.error();
  PetSuvSeries out;
  out.suv = apply_suv(series->values, *cal);
  out.series = std::move(*series);
  out.tags = std::move(*tags);
  out.calibration = std::move(*cal);
  return out;
}

}  // namespace sbrtkit
