#pragma once
/// What `sbrtkit lesions` writes: tables, label map, MIP picture.

#include <filesystem>
#include <string>

#include "sbrtkit/expected.h"
#include "sbrtkit/pipelines/lesions_report.h"

namespace sbrtkit {

/// Tables: one row per lesion. CSV has a header line; JSON holds the calibration, mapping and notes too.
std::string format_lesions_csv(const LesionsReport& report);
std::string format_lesions_json(const LesionsReport& report);

/// Label map of the lesions on the PET grid (label = lesion id, voxels with weight >= 0.5), NRRD
/// (raw, little endian, unsigned short, LPS space directions and origin).
Status write_label_map_nrrd(const std::filesystem::path& file, const LesionsReport& report);

/// Coronal MIP PNG of the report's PET with the lesions tinted and numbered, and a legend with id, name,
/// SUVmax, MTV and covering PTV.
Status write_lesions_mip_png(const std::filesystem::path& file, const LesionsReport& report);

}  // namespace sbrtkit
