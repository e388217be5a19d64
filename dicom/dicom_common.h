#pragma once
// Shared DCMTK plumbing for the readers: loading with clear errors, tag names for messages, and an
// item view that turns absent / unparsable attributes into `Error`s naming file and tag.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/geometry.h"

namespace sbrtkit::detail {

/// "(3004,000C) GridFrameOffsetVector".
std::string tag_text(const DcmTagKey& key);

/// Silences DCMTK's own logging (library code never prints).
void quiet_dcmtk();

/// True when the file starts like DICOM: "DICM" at offset 128, or a bare dataset whose first tag is in
/// group 0x0002..0x0008 (little endian).
bool looks_like_dicom(const std::filesystem::path& file);

struct LoadedDicom {
  std::unique_ptr<DcmFileFormat> format;
  DcmDataset* dataset = nullptr;
  std::string path;
};

/// Loads a whole file (or its header up to PixelData when headers_only). Errors: io (missing,
/// unreadable, truncated), not_dicom.
Expected<LoadedDicom> load_dicom(const std::filesystem::path& file, bool headers_only = false);

/// Read access to one dataset or sequence item. `context` prefixes tags in messages, e.g.
/// "(3006,0039) ROIContourSequence item 2 > ".
class ItemView {
 public:
  ItemView(DcmItem* item, std::string file, std::string context = {})
      : item_(item), file_(std::move(file)), context_(std::move(context)) {}

  DcmItem* item() const { return item_; }
  const std::string& file() const { return file_; }
  std::string tag(const DcmTagKey& key) const { return context_ + tag_text(key); }

  bool has(const DcmTagKey& key) const;
  /// Trimmed value (all values joined by '\'), "" when absent or empty.
  std::string string(const DcmTagKey& key) const;
  Expected<std::string> required_string(const DcmTagKey& key) const;
  /// All values of a DS/IS/FD/FL/US/SS/UL/SL attribute as doubles; empty vector when absent.
  /// bad_value when a value does not parse or is not finite.
  Expected<std::vector<double>> numbers(const DcmTagKey& key) const;
  /// numbers() that must be present with exactly `count` values (count 0: at least one).
  Expected<std::vector<double>> required_numbers(const DcmTagKey& key, std::size_t count = 0) const;
  Expected<std::optional<double>> optional_number(const DcmTagKey& key) const;
  Expected<double> required_number(const DcmTagKey& key) const;
  /// A required integer (IS, US, SS, UL, SL).
  Expected<long> required_integer(const DcmTagKey& key) const;
  Expected<std::optional<long>> optional_integer(const DcmTagKey& key) const;

  /// Items of a sequence (empty when absent), each with its context.
  std::vector<ItemView> sequence(const DcmTagKey& key) const;

  Error missing(const DcmTagKey& key) const { return Error::missing_tag(file_, tag(key)); }
  Error bad(const DcmTagKey& key, std::string expected, std::string found) const {
    return Error::bad_value(file_, tag(key), std::move(expected), std::move(found));
  }

 private:
  DcmItem* item_;
  std::string file_;
  std::string context_;
};

/// Checks Modality (0008,0060) and SOPClassUID (0008,0016) against the expected values.
Status check_object_kind(const ItemView& ds, const std::string& modality,
                         const std::vector<std::string>& sop_classes, const std::string& kind);

/// Image plane of one frame: ImageOrientationPatient (orthonormal), ImagePositionPatient,
/// PixelSpacing (row spacing \ column spacing), Rows, Columns.
struct ImagePlane {
  Vec3 row_cosine, column_cosine, normal;
  PatientPoint position;
  double column_step_mm = 0;  // spacing along the row direction (i): PixelSpacing[1]
  double row_step_mm = 0;     // spacing along the column direction (j): PixelSpacing[0]
  std::int64_t rows = 0, columns = 0;
};
Expected<ImagePlane> read_image_plane(const ItemView& ds);

/// Pixel words of frames [0, frame_count) as stored (BitsAllocated 16 or 32, PixelRepresentation
/// 0/1) converted to double. Errors: compressed transfer syntax, unsupported bits, too few bytes.
Expected<std::vector<double>> read_stored_pixels(const LoadedDicom& loaded, std::int64_t values_needed);

/// Shortest decimal text (at most 16 characters, the DS limit) that reads back as v when possible.
std::string ds_text(double v);
std::string ds_text(const std::vector<double>& values);

}  // namespace sbrtkit::detail
