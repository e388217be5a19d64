#pragma once
/// Which alpha/beta ratio each structure takes for voxel-wise EQD2, and the per-voxel maps built from
/// structure occupancy. A table of entries (name patterns or a category -> a/b, each with its source);
/// the first name entry that matches wins, then the category entries; structures that are not tissue
/// of their own (EXTERNAL, SUPPORT, MARKER, ...) take no part and their voxels keep the "elsewhere" value.
/// On the grid, where structures overlap the smallest value wins (for a/b: the more conservative EQD2 at
/// SBRT doses per fraction above 2 Gy). The YAML form is rules/alpha-beta-default.yaml; its loader lives
/// outside core (io/).
///
///   auto a = assign_alpha_beta(cord, default_alpha_beta_table());   // a->alpha_beta_gy == 2
///   Volume<float> ab = min_value_map(grid, {{&cord_occupancy, 2.0}, {&ptv_occupancy, 10.0}}, 3.0);

#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/lesion.h"
#include "sbrtkit/structure.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

/// Categories a structure falls in when no name entry matches.
enum class TissueCategory {
  target,   // interpreted type GTV / CTV / PTV, or a name starting gtv / ctv / itv / ptv
  organ,    // any other structure that is tissue (ORGAN, AVOIDANCE, CAVITY, untyped ...)
  ignored,  // EXTERNAL, SUPPORT, BOLUS, MARKER, ISOCENTER, REGISTRATION, FIXATION, CONTROL, DOSE_REGION,
            // CONTRAST_AGENT, or an untyped BODY / External: the "elsewhere" value applies
};
const char* category_name(TissueCategory c);  // "target", "organ", "ignored"
TissueCategory tissue_category(const Structure& s);

struct AlphaBetaEntry {
  /// Glob patterns (structure.h glob_match: '*' any run, '?' one character) on the normalised name (lower case, only letters and
  /// digits: "Spinal_Cord PRV" -> "spinalcordprv"). Empty for a category entry.
  std::vector<std::string> name_patterns;
  std::optional<TissueCategory> category;  // set for a category entry
  double alpha_beta_gy = 3;
  std::string source;
};

struct AlphaBetaTable {
  std::vector<AlphaBetaEntry> entries;
  double elsewhere_gy = 3;      // voxels in no participating structure
  std::string elsewhere_source;
  std::string origin;           // file the table came from, or "built-in defaults"
};

/// The defaults of issue 14: spinal cord, cauda equina, brainstem, sacral plexus 2 Gy; other organs 3 Gy;
/// targets 10 Gy; elsewhere 3 Gy (the same values as rules/alpha-beta-default.yaml, with its sources).
AlphaBetaTable default_alpha_beta_table();

/// Errors (bad_argument, naming the entry): an a/b that is not a finite positive number, an entry with
/// neither patterns nor a category, or a category entry for "ignored".
Status validate_alpha_beta_table(const AlphaBetaTable& table);

/// "spinalcordprv" from "Spinal_Cord PRV". Patterns are matched with structure.h's glob_match.
std::string normalised_structure_name(const std::string& name);

struct AlphaBetaAssignment {
  double alpha_beta_gy = 3;
  std::string rule;    // "name spinalcord*", "category organ"
  std::string source;  // the entry's source
};
/// The entry that applies to `s`, or nullopt when s takes no part (ignored category, or no entry at all).
std::optional<AlphaBetaAssignment> assign_alpha_beta(const Structure& s, const AlphaBetaTable& table);

/// A structure's occupancy on the map's grid and the value it carries there.
struct RegionValue {
  const LesionVoxels* occupancy = nullptr;  // linear indices into the grid, with occupancy weights
  double value = 0;
};
/// Per-voxel map on `grid`: the smallest value of the regions whose occupancy there exceeds
/// min_occupancy, `elsewhere` in every other voxel. Errors (bad_argument): a null occupancy, an index
/// outside the grid, a non-finite value.
Expected<Volume<float>> min_value_map(const ImageGeometry& grid, const std::vector<RegionValue>& regions,
                                      double elsewhere, double min_occupancy = 0.0);

}  // namespace sbrtkit
