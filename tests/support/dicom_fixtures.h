#pragma once
// Fixtures for the dicom/ tests: a self-deleting temporary folder, grids in any patient orientation,
// and raw edits of written files (cut, remove or replace one attribute) to build bad inputs.

#include <cstdint>
#include <filesystem>
#include <string>

#include "sbrtkit/geometry.h"
#include "sbrtkit/volume.h"

namespace sbrtkit::testing {

/// A fresh folder under the system temp dir, removed (recursively) on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Row and column direction cosines of ImageOrientationPatient for a standard patient position
/// ("HFS", "FFS", "HFP", "FFP", "HFDL", "HFDR", "FFDL", "FFDR"), as scanners write them for axial slices.
std::array<Vec3, 2> orientation_for(const std::string& patient_position);

/// Geometry whose voxel centres are exactly those of `reference` (same physical points), but
/// expressed with the given row/column cosines and slice order; all of them must be signed
/// permutations of reference's axes. `reverse_slices` flips the k axis.
ImageGeometry reoriented(const ImageGeometry& reference, const std::array<Vec3, 2>& row_column,
                         bool reverse_slices = false);

/// Resamples (exactly, voxel for voxel) `values` from its grid onto `target`, which must hold the same
/// voxel centres.
Volume<float> regrid(const Volume<float>& values, const ImageGeometry& target);

/// Keeps the first `fraction` of the bytes of a file.
void truncate_file(const std::filesystem::path& file, double fraction);

/// Removes (empty value) or replaces an attribute located by a DICOM path such as "3004,000E" or
/// "3006,0039[0].3006,0040[1].3006,0050", then saves the file in the same format (meta / explicit VR).
void remove_attribute(const std::filesystem::path& file, const std::string& tag_path);
void set_attribute(const std::filesystem::path& file, const std::string& tag_path, const std::string& value);

}  // namespace sbrtkit::testing
