#pragma once
/// NRRD label maps (3D Slicer, ITK-SNAP, 3D Slicer's segment import read them): a text header with the grid
/// in LPS patient coordinates and raw little-endian labels, i fastest (NRRD's order and ImageGeometry's).

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/geometry.h"

namespace sbrtkit {

struct NrrdHeaderText {
  std::vector<std::string> comments;  // written as "# <line>" after the magic line
  /// Key/value pairs ("label1:=progression"), written after the geometry fields.
  std::vector<std::pair<std::string, std::string>> key_values;
};

/// Writes labels (one per voxel of grid) atomically; an error names the file when the count does not
/// match the grid or the file cannot be written.
Status write_nrrd_labels(const std::filesystem::path& file, const ImageGeometry& grid,
                         std::span<const std::uint8_t> labels, const NrrdHeaderText& text = {});
Status write_nrrd_labels(const std::filesystem::path& file, const ImageGeometry& grid,
                         std::span<const std::uint16_t> labels, const NrrdHeaderText& text = {});

/// The header alone (for tests and for writers that stream the data themselves).
std::string nrrd_header(const ImageGeometry& grid, const char* nrrd_type, const NrrdHeaderText& text);

}  // namespace sbrtkit
