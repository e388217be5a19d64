#pragma once
/// DICOM Segmentation Storage (binary, DCMTK dcmseg) of lesions on an image series' grid: one segment
/// per lesion, one frame per (segment, slice) that holds any of its voxels; each frame's Derivation
/// Image references the source slice, and the patient, study and frame of reference are imported from
/// the first source file, so viewers (3D Slicer) overlay it on that series.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/geometry.h"

namespace sbrtkit {

struct SegSegment {
  std::string label;
  std::string source;                // "PET" (automatic) or "RTSTRUCT" (manual)
  std::vector<std::int64_t> index;   // linear voxel indices on the grid
  std::vector<float> weight;         // voxels with weight >= 0.5 are in the segment
};

struct SegInput {
  std::vector<std::filesystem::path> source_files;  // one file per slice, slice order (k = 0, 1, ...)
  ImageGeometry grid;                               // axes[2] along the slice normal
  std::vector<SegSegment> segments;
};

/// Errors: no source files, a grid whose slices are not the source files', DCMTK failures (io).
Status write_lesion_seg(const std::filesystem::path& file, const SegInput& input);

}  // namespace sbrtkit
