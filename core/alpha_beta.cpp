// Alpha/beta per structure (table, defaults, assignment) and per-voxel minimum maps from structure
// occupancy. See include/sbrtkit/alpha_beta.h.
#include "sbrtkit/alpha_beta.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

#include "number_text.h"

namespace sbrtkit {

using detail::number_text;
namespace {

/// A pattern normalised as names are, keeping its '*' and '?' wildcards ("Spinal_Cord*" -> "spinalcord*").
std::string normalised_pattern(const std::string& p) {
  std::string out;
  for (unsigned char c : p)
    if (c == '*' || c == '?' || std::isalnum(c)) out.push_back(char(std::tolower(c)));
  return out;
}

}  // namespace

const char* category_name(TissueCategory c) {
  switch (c) {
    case TissueCategory::target: return "target";
    case TissueCategory::organ: return "organ";
    case TissueCategory::ignored: return "ignored";
  }
  return "?";
}

std::string normalised_structure_name(const std::string& name) {
  std::string out;
  for (unsigned char c : name)
    if (std::isalnum(c)) out.push_back(char(std::tolower(c)));
  return out;
}

TissueCategory tissue_category(const Structure& s) {
  const std::string type = ascii_upper(s.interpreted_type);
  static const char* const kIgnoredTypes[] = {"EXTERNAL", "SUPPORT",  "BOLUS",       "MARKER",        "ISOCENTER",
                                              "REGISTRATION", "FIXATION", "CONTROL", "DOSE_REGION", "CONTRAST_AGENT",
                                              "BRACHY_CHANNEL", "BRACHY_ACCESSORY", "BRACHY_SRC_APP", "BRACHY_CHNL_SHLD"};
  for (const char* t : kIgnoredTypes)
    if (type == t) return TissueCategory::ignored;
  if (type == "GTV" || type == "CTV" || type == "PTV") return TissueCategory::target;
  const std::string n = normalised_structure_name(s.name);
  if (type.empty() && (n == "body" || n == "external" || n == "outline" || n == "skinsurface")) return TissueCategory::ignored;
  for (const char* prefix : {"gtv", "ctv", "itv", "ptv"})
    if (n.rfind(prefix, 0) == 0) return TissueCategory::target;
  return TissueCategory::organ;
}

AlphaBetaTable default_alpha_beta_table() {
  AlphaBetaTable t;
  t.origin = "built-in defaults";
  const std::string neural =
      "issue 14 default; a/b = 2 Gy for late spinal cord toxicity as in Sahgal et al. 2012 (IJROBP 82:107, "
      "nBED in Gy2/2)";
  t.entries.push_back({{"*spinalcord*", "cord*"}, std::nullopt, 2.0, neural});
  t.entries.push_back({{"*thecalsac*", "thecal*"}, std::nullopt, 2.0, neural + "; the thecal sac stands for the cord there"});
  t.entries.push_back({{"*cauda*"}, std::nullopt, 2.0,
                       "issue 14 default, taken equal to the spinal cord [unconfirmed: Nieder et al. 2006 used 4 Gy for "
                       "the lumbar cord]"});
  t.entries.push_back({{"*brainstem*"}, std::nullopt, 2.0, "issue 14 default, neural tissue as the spinal cord"});
  t.entries.push_back({{"*sacralplexus*", "*plexussacral*"}, std::nullopt, 2.0,
                       "issue 14 default, neural tissue as the spinal cord [unconfirmed]"});
  t.entries.push_back({{}, TissueCategory::target, 10.0, "issue 14 default; tumour a/b 10 Gy (sbrt-domain.md section 5)"});
  t.entries.push_back({{}, TissueCategory::organ, 3.0,
                       "issue 14 default; late-responding tissue a/b 3 Gy (sbrt-domain.md section 5)"});
  t.elsewhere_gy = 3.0;
  t.elsewhere_source = "issue 14 default; late-responding tissue a/b 3 Gy (sbrt-domain.md section 5)";
  return t;
}

Status validate_alpha_beta_table(const AlphaBetaTable& table) {
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  for (std::size_t e = 0; e < table.entries.size(); ++e) {
    const auto& entry = table.entries[e];
    const std::string key = "alpha_beta.entries[" + std::to_string(e) + "]";
    if (!positive(entry.alpha_beta_gy))
      return Error::bad_argument(key + ".alpha_beta_gy", "a positive number of Gy", number_text(entry.alpha_beta_gy));
    if (entry.name_patterns.empty() && !entry.category)
      return Error::bad_argument(key, "name patterns or a category", "neither");
    if (entry.category == TissueCategory::ignored)
      return Error::bad_argument(key + ".category", "target or organ", "ignored (those take the elsewhere value)");
    for (const auto& p : entry.name_patterns)
      if (normalised_pattern(p).empty())
        return Error::bad_argument(key + ".names", "patterns with a letter, digit or '*'", "'" + p + "'");
  }
  if (!positive(table.elsewhere_gy))
    return Error::bad_argument("alpha_beta.elsewhere_gy", "a positive number of Gy", number_text(table.elsewhere_gy));
  return ok();
}

std::optional<AlphaBetaAssignment> assign_alpha_beta(const Structure& s, const AlphaBetaTable& table) {
  const TissueCategory category = tissue_category(s);
  if (category == TissueCategory::ignored) return std::nullopt;
  const std::string n = normalised_structure_name(s.name);
  for (const auto& e : table.entries)
    for (const auto& p : e.name_patterns)
      if (glob_match(normalised_pattern(p), n))
        return AlphaBetaAssignment{e.alpha_beta_gy, "name " + p, e.source};
  for (const auto& e : table.entries)
    if (e.category == category) return AlphaBetaAssignment{e.alpha_beta_gy, std::string("category ") + category_name(category), e.source};
  return std::nullopt;
}

Expected<Volume<float>> min_value_map(const ImageGeometry& grid, const std::vector<RegionValue>& regions,
                                      double elsewhere, double min_occupancy) {
  if (!std::isfinite(elsewhere)) return Error::bad_argument("elsewhere", "a finite value", number_text(elsewhere));
  const std::int64_t n = grid.voxel_count();
  // Painted first with +inf so the minimum over regions is order-independent; unpainted voxels get
  // `elsewhere` at the end.
  Volume<float> map(grid, std::numeric_limits<float>::infinity());
  for (std::size_t r = 0; r < regions.size(); ++r) {
    const auto& region = regions[r];
    const std::string key = "regions[" + std::to_string(r) + "]";
    if (!region.occupancy) return Error::bad_argument(key, "an occupancy", "none");
    if (!std::isfinite(region.value)) return Error::bad_argument(key + ".value", "a finite value", number_text(region.value));
    const auto& occ = *region.occupancy;
    if (occ.weight.size() != occ.index.size())
      return Error::bad_argument(key, "one weight per voxel index", std::to_string(occ.weight.size()) + " weights for " +
                                                                        std::to_string(occ.index.size()) + " voxels");
    for (std::size_t v = 0; v < occ.index.size(); ++v) {
      const std::int64_t idx = occ.index[v];
      if (idx < 0 || idx >= n)
        return Error::bad_argument(key, "voxel indices inside the grid (0.." + std::to_string(n - 1) + ")",
                                   std::to_string(idx));
      if (!(occ.weight[v] > min_occupancy)) continue;
      float& m = map.voxels[static_cast<std::size_t>(idx)];
      m = std::min(m, float(region.value));
    }
  }
  for (auto& m : map.voxels)
    if (std::isinf(m)) m = float(elsewhere);
  return map;
}

}  // namespace sbrtkit
