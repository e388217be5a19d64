#pragma once
/// DICOM Segmentation Storage (binary, DCMTK dcmseg) of lesions on an image series' grid: one segment
/// per lesion, one frame per (segment, slice) that holds any of its voxels; each frame's Derivation
/// Image references the source slice, and the patient, study and frame of reference are imported from
/// the first source file, so viewers (3D Slicer) overlay it on that series. SegmentsOverlap (0062,0013)
/// states whether any voxel lies in two segments (YES / NO, computed), and each segment carries its
/// picture colour as RecommendedDisplayCIELabValue (0062,000D).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/geometry.h"
#include "sbrtkit/slice_render.h"

namespace sbrtkit {

struct SegSegment {
  std::string label;
  std::string source;                // "PET" (automatic) or "RTSTRUCT" (manual)
  std::vector<std::int64_t> index;   // linear voxel indices on the grid
  std::vector<float> weight;         // voxels with weight >= 0.5 are in the segment
  Rgb colour{128, 128, 128};         // sRGB, as in the pictures; written as CIELab
};

/// SeriesNumber (0020,0011) of every series sbrtkit writes, distinct so that a PACS or planning system
/// that receives the outputs of `lesions` and `response` for one study lists each series on its own.
namespace output_series {
inline constexpr int lesions_seg = 900, lesions_rtstruct = 901;
inline constexpr int response_seg = 910, followup_lesions_rtstruct = 911, response_registration = 912;
}  // namespace output_series

struct SegInput {
  std::vector<std::filesystem::path> source_files;  // one file per slice, slice order (k = 0, 1, ...)
  ImageGeometry grid;                               // axes[2] along the slice normal
  std::vector<SegSegment> segments;
  int series_number = output_series::lesions_seg;
  std::string series_description = "sbrtkit lesions";
};

/// YES when some voxel (weight >= 0.5) belongs to two segments, else NO: SegmentsOverlap's value.
std::string segments_overlap(const std::vector<SegSegment>& segments);

/// Errors: no source files, a grid whose slices are not the source files', DCMTK failures (io).
Status write_lesion_seg(const std::filesystem::path& file, const SegInput& input);

}  // namespace sbrtkit
