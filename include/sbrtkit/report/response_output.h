#pragma once
/// What `sbrtkit response` writes: tables, label map, DICOM SEG, MIP picture, lesion surfaces.

#include <filesystem>
#include <string>

#include "sbrtkit/expected.h"
#include "sbrtkit/pipelines/response_report.h"

namespace sbrtkit {

std::string format_response_csv(const ResponseReport& report);
std::string format_response_json(const ResponseReport& report);

/// Status label map on the follow-up PET grid (value = ResponseStatus code, vanished baseline lesions
/// mapped onto it as complete_response), legend in the header; NRRD raw little-endian unsigned char.
Status write_status_label_map_nrrd(const std::filesystem::path& file, const ResponseReport& report);
/// DICOM SEG on the follow-up PET: one segment per lesion named "<name> <status>".
Status write_status_seg(const std::filesystem::path& file, const ResponseReport& report);
/// Coronal maximum-intensity projection of the follow-up PET (inverted grey, SUV 0..10), lesions
/// filled with their status colour, PTV silhouettes outlined in cyan, and a legend strip.
Status write_status_mip_png(const std::filesystem::path& file, const ResponseReport& report);
/// Voxel-face surfaces of all lesions in the planning frame (VTK XML PolyData, ASCII), cell data
/// "status", "lesion" and "colour" (RGB).
Status write_status_vtp(const std::filesystem::path& file, const ResponseReport& report);

}  // namespace sbrtkit
