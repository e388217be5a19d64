#pragma once
/// PET series in SUV: the header attributes the SUV depends on (suv.h), read with the private tags
/// of GE (scan date-time) and Philips (SUV and activity scale factors), and the series itself
/// converted to SUV with one calibration factor.
///
///   auto pet = read_pet_suv(files, {.weight_kg = 82.0}, SuvType::body_weight);
///   if (!pet) return pet.error();   // e.g. "PT_0000.dcm: (0010,1030) PatientWeight: required ..."
///   float suv_max = *std::max_element(pet->suv.voxels.begin(), pet->suv.voxels.end());

#include <filesystem>
#include <vector>

#include "sbrtkit/dicom/image_series.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/suv.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

/// Reads the SUV attributes from the headers of a PET series. Series-level attributes come from the
/// first file; AcquisitionDate/Time is the earliest over all files (the scan start of a multi-bed
/// study). Errors: unreadable files, Modality other than PT, Units or DecayCorrection that differ
/// between files, more than one RadiopharmaceuticalInformationSequence item.
Expected<PetSuvTags> read_pet_suv_tags(const std::vector<std::filesystem::path>& files);

struct PetSuvSeries {
  ImageSeries series;  // series.values: the rescaled pixel values (Units of the file)
  Volume<float> suv;   // the same grid in SUV (bw or SUL as asked)
  PetSuvTags tags;
  SuvCalibration calibration;
};

/// Reads the series and its SUV calibration (suv_calibration errors name the missing tag).
Expected<PetSuvSeries> read_pet_suv(const std::vector<std::filesystem::path>& files, const SuvOverrides& overrides,
                                    SuvType type = SuvType::body_weight);

}  // namespace sbrtkit
