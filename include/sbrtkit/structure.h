#pragma once
/// Structures as a planning system exports them: stacks of planar contours in patient coordinates.
/// Pure data, no DICOM: dicom/ fills it from an RTSTRUCT, core/ turns it into volumes.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sbrtkit/geometry.h"

namespace sbrtkit {

/// ContourGeometricType (3006,0042).
enum class ContourType { closed_planar, closed_planar_xor, open_planar, open_nonplanar, point };

struct Contour {
  ContourType type = ContourType::closed_planar;
  std::vector<PatientPoint> points;  // ContourData, as stored (a repeated first point is tolerated later)
};

struct Structure {
  int roi_number = 0;                       // ROINumber (3006,0022)
  std::string name;                         // ROIName (3006,0026)
  std::string interpreted_type;             // RTROIInterpretedType (3006,00A4), "" when absent
  std::optional<std::array<int, 3>> color;  // ROIDisplayColor (3006,002A)
  std::vector<Contour> contours;

  /// True when at least one closed contour exists, i.e. the structure can have a volume.
  bool has_closed_contours() const;
  /// A planning target: interpreted type PTV, or a name starting with PTV (either case), the TG-263 form.
  bool is_planning_target() const;
};

struct StructureSet {
  std::string sop_instance_uid;
  std::string frame_of_reference_uid;
  std::string referenced_series_uid;  // image series the contours were drawn on, "" when not stated
  std::string label;                  // StructureSetLabel
  std::vector<Structure> structures;

  /// ROI by exact name, case-insensitive name, or ROI number given as text ("3"); nullptr if none.
  const Structure* find(const std::string& name_or_number) const;
  /// Structures selected by a comma-separated list of patterns, in RTSTRUCT order: a name glob
  /// ("GTV_*", "Kidney_?"), or "type:GTV" for an RTROIInterpretedType; both case-insensitive, spaces
  /// around items ignored. Example: set.select("GTV_*, type:CTV").
  std::vector<const Structure*> select(std::string_view patterns) const;
};

/// Case-insensitive glob: '*' matches any run of characters, '?' one character, everything else itself.
/// Greedy segment matching (each literal run between stars taken at its leftmost fit, which is never
/// wrong because the next star absorbs whatever lies between): O(|pattern| x |text|) in the worst case,
/// never the exponential time of recursive backtracking.
bool glob_match(std::string_view pattern, std::string_view text);


/// ASCII upper case, for DICOM code strings (RTROIInterpretedType "ptv" -> "PTV") and name prefixes.
std::string ascii_upper(std::string_view text);

}  // namespace sbrtkit
