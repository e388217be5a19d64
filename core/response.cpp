// Lesion response between two PET time points in the planning frame: matching, classification,
// patient-level calls. See include/sbrtkit/response.h.
#include "sbrtkit/response.h"

#include "number_text.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <tuple>
#include <limits>
#include <numeric>
#include <string>
#include <unordered_map>

namespace sbrtkit {
namespace {

using detail::number_text;

/// Sparse set of a lesion's voxel centres hashed on cells of its voxel size.
class PointHash {
 public:
  explicit PointHash(const ResponseLesion& l) : cell_(l.voxel_size_mm > 0 ? l.voxel_size_mm : 1.0) {
    for (const auto& p : l.points) map_[key(cell(p.x), cell(p.y), cell(p.z))].push_back(p);
  }
  /// True when some centre lies within half a voxel of p along each planning axis.
  bool contains(PatientPoint p) const {
    const double h = 0.5 * cell_ + 1e-9;
    const std::int64_t ci = cell(p.x), cj = cell(p.y), ck = cell(p.z);
    for (std::int64_t a = -1; a <= 1; ++a)
      for (std::int64_t b = -1; b <= 1; ++b)
        for (std::int64_t c = -1; c <= 1; ++c) {
          auto it = map_.find(key(ci + a, cj + b, ck + c));
          if (it == map_.end()) continue;
          for (const auto& q : it->second)
            if (std::abs(q.x - p.x) <= h && std::abs(q.y - p.y) <= h && std::abs(q.z - p.z) <= h) return true;
        }
    return false;
  }

 private:
  std::int64_t cell(double v) const { return static_cast<std::int64_t>(std::floor(v / cell_)); }
  static std::uint64_t key(std::int64_t i, std::int64_t j, std::int64_t k) {
    return (static_cast<std::uint64_t>(i & 0x1FFFFF) << 42) | (static_cast<std::uint64_t>(j & 0x1FFFFF) << 21) |
           static_cast<std::uint64_t>(k & 0x1FFFFF);
  }
  double cell_;
  std::unordered_map<std::uint64_t, std::vector<PatientPoint>> map_;
};

double overlap_with(const ResponseLesion& a, const PointHash& b) {
  std::size_t n = 0;
  for (const auto& p : a.points) n += b.contains(p) ? 1 : 0;
  return double(n) * a.voxel_volume_mm3 / 1000.0;
}

std::optional<double> pct_change(double before, double after) {
  if (!(before > 0)) return std::nullopt;
  return 100.0 * (after - before) / before;
}

/// Fraction (0..1) of a lesion's points of known dose at or above pct % of its PTV's prescription;
/// nullopt when no point has a known dose. Points outside the dose grid are not counted as 0 Gy: they
/// are left out, and a note on the row says how many.
std::optional<double> fraction_at_isodose(const ResponseLesion& l, double pct) {
  if (!l.prescription_gy) return std::nullopt;
  const double level = pct / 100.0 * *l.prescription_gy;
  std::size_t known = 0, above = 0;
  for (const auto& d : l.point_dose_gy) {
    if (!d) continue;
    ++known;
    above += *d >= level ? 1 : 0;
  }
  if (known == 0) return std::nullopt;
  return double(above) / double(known);
}

/// The note for a lesion part of which lies outside the dose grid, "" when all of it is inside.
std::string outside_dose_note(const ResponseLesion& l, const char* label) {
  const auto unknown = std::count_if(l.point_dose_gy.begin(), l.point_dose_gy.end(),
                                     [](const std::optional<double>& d) { return !d; });
  if (unknown == 0) return {};
  return std::string(label) + " lesion " + l.name + ": " + std::to_string(unknown) + " of " +
         std::to_string(l.point_dose_gy.size()) +
         " voxels outside the dose grid (dose unknown); isodose fractions count the voxels inside it";
}

void judge_treated(const ResponseLesion& l, const ResponseRules& r, LesionResponse& out) {
  if (l.ptv_distance_mm && *l.ptv_distance_mm <= 0) {
    out.treated = true;
    out.treated_by = "centroid in " + l.ptv;
    return;
  }
  if (auto f = fraction_at_isodose(l, r.treated_isodose_pct); f && 100.0 * *f >= r.treated_volume_pct) {
    out.treated = true;
    out.treated_by = number_text(std::round(1000 * *f) / 10) + "% of the volume at >= " + number_text(r.treated_isodose_pct) +
                     "% of " + number_text(*l.prescription_gy) + " Gy (" + l.ptv + ")";
    return;
  }
  out.treated = false;
  out.treated_by = l.ptv.empty() ? "no PTV" : "outside " + l.ptv + " and below the treated isodose rule";
}

void locate(const ResponseLesion& f, const ResponseRules& r, LesionResponse& out) {
  out.in_field_fraction = fraction_at_isodose(f, r.in_field_isodose_pct);
  if (f.ptv_distance_mm && *f.ptv_distance_mm <= 0) {
    out.location = FieldLocation::in_field;
    out.location_rule = "centroid inside " + f.ptv;
  } else if (out.in_field_fraction && 100.0 * *out.in_field_fraction >= r.in_field_volume_pct) {
    out.location = FieldLocation::in_field;
    out.location_rule = number_text(std::round(1000 * *out.in_field_fraction) / 10) + "% of the volume inside the " +
                        number_text(r.in_field_isodose_pct) + "% isodose of " + f.ptv;
  } else if (f.centroid_dose_gy && f.prescription_gy &&
             *f.centroid_dose_gy >= r.marginal_isodose_pct / 100.0 * *f.prescription_gy) {
    out.location = FieldLocation::marginal;
    out.location_rule = "centroid outside " + f.ptv + " at " +
                        number_text(std::round(1000 * *f.centroid_dose_gy / *f.prescription_gy) / 10) +
                        "% of its Rx (>= " + number_text(r.marginal_isodose_pct) + "% isodose)";
  } else if (f.ptv_distance_mm && *f.ptv_distance_mm <= r.marginal_distance_mm) {
    out.location = FieldLocation::marginal;
    out.location_rule = "centroid " + number_text(std::round(10 * *f.ptv_distance_mm) / 10) + " mm outside " + f.ptv +
                        " (<= " + number_text(r.marginal_distance_mm) + " mm)";
  } else {
    out.location = FieldLocation::out_of_field;
    out.location_rule = f.ptv.empty() ? "no PTV in the plan"
                                      : "centroid " + (f.ptv_distance_mm ? number_text(std::round(10 * *f.ptv_distance_mm) / 10)
                                                                         : std::string("?")) +
                                            " mm from " + f.ptv + ", below the " + number_text(r.marginal_isodose_pct) +
                                            "% isodose";
  }
}

ResponseStatus final_status(ResponseChange c, FieldLocation l) {
  switch (c) {
    case ResponseChange::complete_response: return ResponseStatus::complete_response;
    case ResponseChange::responding: return ResponseStatus::responding;
    case ResponseChange::stable: return ResponseStatus::stable;
    case ResponseChange::progressing:
    case ResponseChange::new_lesion:
      if (l == FieldLocation::in_field) return ResponseStatus::in_field_progression;
      if (l == FieldLocation::marginal) return ResponseStatus::marginal_recurrence;
      return c == ResponseChange::progressing ? ResponseStatus::progressing_out_of_field : ResponseStatus::new_lesion;
  }
  return ResponseStatus::stable;
}

/// Aggregate of several lesions (a split or merge group): hottest uptake, summed volume and TLG.
struct Aggregate {
  double suv_max = 0, suv_peak = 0, volume_cc = 0, tlg = 0;
};
Aggregate aggregate(const std::vector<ResponseLesion>& ls, const std::vector<int>& idx) {
  Aggregate a;
  for (int i : idx) {
    a.suv_max = std::max(a.suv_max, ls[i].suv_max);
    a.suv_peak = std::max(a.suv_peak, ls[i].suv_peak);
    a.volume_cc += ls[i].volume_cc;
    a.tlg += ls[i].tlg;
  }
  return a;
}

Aggregate aggregate_of(const ResponseLesion& l) { return {l.suv_max, l.suv_peak, l.volume_cc, l.tlg}; }

void judge_change(const Aggregate& b, const Aggregate& f, const ResponseRules& r, LesionResponse& out) {
  const double ub = r.metric == ChangeMetric::suv_peak ? b.suv_peak : b.suv_max;
  const double uf = r.metric == ChangeMetric::suv_peak ? f.suv_peak : f.suv_max;
  out.uptake_change_suv = uf - ub;
  out.uptake_change_pct = pct_change(ub, uf);
  out.volume_change_pct = pct_change(b.volume_cc, f.volume_cc);
  out.tlg_change_pct = pct_change(b.tlg, f.tlg);
  const double pct = out.uptake_change_pct.value_or(0), abs = uf - ub;
  if (pct > r.change_pct && abs > r.change_abs_suv) {
    out.change = ResponseChange::progressing;
  } else if (r.tlg_progression_pct > 0 && out.tlg_change_pct && *out.tlg_change_pct > r.tlg_progression_pct) {
    out.change = ResponseChange::progressing;
    out.notes.push_back("progressing by TLG (+" + number_text(std::round(*out.tlg_change_pct)) + "% > " +
                        number_text(r.tlg_progression_pct) + "%)");
  } else if (pct < -r.change_pct && abs < -r.change_abs_suv) {
    out.change = ResponseChange::responding;
  } else {
    out.change = ResponseChange::stable;
  }
}

/// A baseline lesion the follow-up segmentation did not find: judged on the uptake at its place. Complete
/// response only at background level; otherwise the change rules on the uptake metric (the volume and TLG
/// at follow-up are unknown, not zero: the lesion was not segmented).
void judge_unsegmented(const ResponseLesion& b, const ResponseRules& r, LesionResponse& out) {
  if (!b.followup_at_place) {
    out.change = ResponseChange::complete_response;
    out.notes.push_back("not measured at its place in the follow-up (outside its field of view): complete response "
                        "assumed from the absence of a segmented lesion");
    return;
  }
  const UptakeAtPlace& p = *b.followup_at_place;
  if (p.voxels_measured == 0) {
    out.change = ResponseChange::complete_response;
    out.notes.push_back("its place lies within the spill-out of follow-up lesion " + p.nearest_followup_lesion +
                        ": no separate uptake can be measured; complete response by the absence of a lesion of its own");
    return;
  }
  const double at_place = r.metric == ChangeMetric::suv_peak ? p.suv_peak : p.suv_max;
  const std::string m = r.metric == ChangeMetric::suv_peak ? "SUVpeak" : "SUVmax";
  const std::string measured =
      m + " " + number_text(std::round(100 * at_place) / 100) + " at its place against the surrounding background (" +
      number_text(r.complete_response_background_percentile) + "th percentile " +
      number_text(std::round(100 * p.background_level_suv) / 100) + ", median " +
      number_text(std::round(100 * p.background_median_suv) / 100) + ")" +
      (p.voxels_near_other_lesion ? "; " + std::to_string(p.voxels_near_other_lesion) +
                                        " voxels next to follow-up lesion " + p.nearest_followup_lesion + " left out"
                                  : std::string());
  const double before = r.metric == ChangeMetric::suv_peak ? b.suv_peak : b.suv_max;
  const double contrast_before = before - p.background_median_suv;
  const std::optional<double> residual_pct =
      contrast_before > 0 ? std::optional<double>(100 * (at_place - p.background_median_suv) / contrast_before)
                          : std::nullopt;
  const std::string residual =
      residual_pct ? "; residual contrast " + number_text(std::round(10 * *residual_pct) / 10) + "% of the baseline's"
                   : std::string();
  if (at_place <= p.background_level_suv ||
      (residual_pct && *residual_pct <= r.complete_response_residual_contrast_pct)) {
    out.change = ResponseChange::complete_response;
    out.notes.push_back("complete response: " + measured + residual);
    return;
  }
  Aggregate f;
  f.suv_max = p.suv_max;
  f.suv_peak = p.suv_peak;
  judge_change(aggregate_of(b), f, r, out);
  out.volume_change_pct.reset();  // not segmented: volume and TLG unknown
  out.tlg_change_pct.reset();
  out.notes.push_back("not segmented at follow-up but above its background: " + measured + residual +
                      "; judged by the change rules");
}

}  // namespace

const char* status_name(ResponseStatus s) {
  switch (s) {
    case ResponseStatus::complete_response: return "complete_response";
    case ResponseStatus::responding: return "responding";
    case ResponseStatus::stable: return "stable";
    case ResponseStatus::in_field_progression: return "in_field_progression";
    case ResponseStatus::marginal_recurrence: return "marginal_recurrence";
    case ResponseStatus::progressing_out_of_field: return "progressing_out_of_field";
    case ResponseStatus::new_lesion: return "new";
  }
  return "?";
}
const char* change_name(ResponseChange c) {
  switch (c) {
    case ResponseChange::complete_response: return "complete_response";
    case ResponseChange::responding: return "responding";
    case ResponseChange::stable: return "stable";
    case ResponseChange::progressing: return "progressing";
    case ResponseChange::new_lesion: return "new";
  }
  return "?";
}
const char* location_name(FieldLocation l) {
  switch (l) {
    case FieldLocation::none: return "";
    case FieldLocation::in_field: return "in_field";
    case FieldLocation::marginal: return "marginal";
    case FieldLocation::out_of_field: return "out_of_field";
  }
  return "?";
}
const char* match_name(MatchKind k) {
  switch (k) {
    case MatchKind::overlap: return "overlap";
    case MatchKind::distance: return "centroid_distance";
    case MatchKind::split: return "split";
    case MatchKind::merge: return "merge";
    case MatchKind::split_merge: return "split_and_merge";
    case MatchKind::none: return "unmatched";
  }
  return "?";
}
const char* recip_name(RecipCall c) {
  switch (c) {
    case RecipCall::complete_response: return "CR";
    case RecipCall::partial_response: return "PR";
    case RecipCall::stable_disease: return "SD";
    case RecipCall::progressive_disease: return "PD";
    case RecipCall::not_evaluable: return "NE";
  }
  return "?";
}
StatusRgb status_colour(ResponseStatus s) {
  switch (s) {
    case ResponseStatus::complete_response: return {0, 158, 115};     // green
    case ResponseStatus::responding: return {86, 180, 233};           // sky blue
    case ResponseStatus::stable: return {240, 228, 66};               // yellow
    case ResponseStatus::in_field_progression: return {213, 94, 0};   // vermillion
    case ResponseStatus::marginal_recurrence: return {230, 159, 0};   // orange
    case ResponseStatus::progressing_out_of_field: return {204, 121, 167};  // purple
    case ResponseStatus::new_lesion: return {255, 0, 255};            // magenta
  }
  return {255, 255, 255};
}

std::vector<std::string> describe_rules(const ResponseRules& r) {
  const std::string m = r.metric == ChangeMetric::suv_peak ? "SUVpeak" : "SUVmax";
  std::vector<std::string> out;
  out.push_back("rules: " + (r.source.empty() ? std::string("built-in defaults") : r.source));
  out.push_back("matching: overlap >= " + number_text(100 * r.min_overlap_fraction) +
                "% of the smaller lesion (planning frame), else centroids within " + number_text(r.max_match_distance_mm) +
                " mm; splits and merges reported as groups" +
                (r.recurrence_leaves_ptv ? "; a distance match from a lesion inside a PTV to one outside every PTV is "
                                           "not made (recurrence)"
                                         : ""));
  out.push_back("treated: centroid inside a PTV, or >= " + number_text(r.treated_volume_pct) + "% of the volume at >= " +
                number_text(r.treated_isodose_pct) + "% of the nearest PTV's Rx");
  out.push_back("change (PERCIST 1.0 style, Wahl 2009) on " + m + ": progressing > +" + number_text(r.change_pct) +
                "% and > +" + number_text(r.change_abs_suv) + " SUV" +
                (r.tlg_progression_pct > 0 ? ", or TLG > +" + number_text(r.tlg_progression_pct) + "%" : std::string()) +
                "; responding < -" + number_text(r.change_pct) + "% and < -" + number_text(r.change_abs_suv) +
                " SUV; stable otherwise; a baseline lesion not segmented at follow-up is measured at its place: complete "
                "response when its " + m + " is at most the " + number_text(r.complete_response_background_percentile) +
                "th percentile of the surrounding background or its contrast above the background median at most " +
                number_text(r.complete_response_residual_contrast_pct) + "% of the baseline's, else judged by these "
                "change rules");
  out.push_back("location of progressing/new lesions: in-field = centroid inside the PTV or >= " +
                number_text(r.in_field_volume_pct) + "% of the volume inside the " + number_text(r.in_field_isodose_pct) +
                "% isodose; marginal = outside it but centroid inside the " + number_text(r.marginal_isodose_pct) +
                "% isodose or within " + number_text(r.marginal_distance_mm) + " mm of the PTV; out-of-field otherwise");
  out.push_back("oligoprogression: 1 to " + std::to_string(r.oligo_max_lesions) + " progressing or new lesions");
  out.push_back("PPP (Fanti 2020): >= " + std::to_string(r.ppp_new_lesions) +
                " new lesions by imaging; 1 new lesion or >= " + number_text(r.ppp_increase_pct) +
                "% increase of an existing lesion need clinical/laboratory confirmation");
  out.push_back("RECIP 1.0 (Gafita 2022) on the total PET lesion volume: CR none left; PR <= " + number_text(r.recip_pr_pct) +
                "% and no new lesion; PD >= +" + number_text(r.recip_pd_pct) + "% and new lesions; SD otherwise");
  return out;
}

Status validate_rules(const ResponseRules& r) {
  auto pct = [](double v, const char* key) -> Status {
    if (!(v >= 0 && v <= 100)) return Error::bad_argument(key, "a percentage in [0, 100]", number_text(v));
    return ok();
  };
  for (auto [v, k] : {std::pair{r.treated_volume_pct, "treated.volume_pct"},
                      std::pair{r.in_field_volume_pct, "location.in_field_volume_pct"},
                      std::pair{100 * r.min_overlap_fraction, "matching.min_overlap_pct"},
                      std::pair{r.complete_response_background_percentile,
                                "change.complete_response_background_percentile"},
                      std::pair{r.complete_response_residual_contrast_pct,
                                "change.complete_response_residual_contrast_pct"}})
    if (auto s = pct(v, k); !s) return s;
  for (auto [v, k] : {std::pair{r.treated_isodose_pct, "treated.isodose_pct"},
                      std::pair{r.in_field_isodose_pct, "location.in_field_isodose_pct"},
                      std::pair{r.marginal_isodose_pct, "location.marginal_isodose_pct"},
                      std::pair{r.change_pct, "change.percent"}, std::pair{r.ppp_increase_pct, "ppp.increase_pct"},
                      std::pair{r.recip_pd_pct, "recip.pd_pct"}})
    if (!(v >= 0 && v < 1000)) return Error::bad_argument(k, "a non-negative percentage", number_text(v));
  for (auto [v, k] : {std::pair{r.max_match_distance_mm, "matching.max_distance_mm"},
                      std::pair{r.marginal_distance_mm, "location.marginal_distance_mm"},
                      std::pair{r.change_abs_suv, "change.absolute_suv"}})
    if (!(v >= 0 && std::isfinite(v))) return Error::bad_argument(k, "a non-negative number", number_text(v));
  if (!(r.recip_pr_pct <= 0 && r.recip_pr_pct >= -100))
    return Error::bad_argument("recip.pr_pct", "a percentage in [-100, 0]", number_text(r.recip_pr_pct));
  if (r.oligo_max_lesions < 1)
    return Error::bad_argument("patient.oligo_max_lesions", "at least 1", std::to_string(r.oligo_max_lesions));
  if (r.ppp_new_lesions < 1)
    return Error::bad_argument("ppp.new_lesions", "at least 1", std::to_string(r.ppp_new_lesions));
  return ok();
}

double overlap_cc(const ResponseLesion& a, const ResponseLesion& b) { return overlap_with(a, PointHash(b)); }

namespace {

/// Which lesions belong together: overlap volumes, and each lesion's match group (0: none).
struct Matching {
  std::vector<std::vector<double>> overlap_cc;  // [baseline][follow-up]
  std::vector<int> group_of_b, group_of_f;
};

/// Step 1: overlap links (bounding spheres first: centroid distance vs. extents).
std::vector<std::pair<int, int>> overlap_links(const std::vector<ResponseLesion>& base,
                                               const std::vector<ResponseLesion>& follow, const ResponseRules& r,
                                               Matching& m) {
  const int nb = int(base.size()), nf = int(follow.size());
  auto extent = [](const ResponseLesion& l) {
    double e = 0;
    for (const auto& p : l.points) e = std::max(e, norm(p - l.centroid));
    return e + l.voxel_size_mm;
  };
  std::vector<double> eb(nb), ef(nf);
  for (int i = 0; i < nb; ++i) eb[i] = extent(base[i]);
  for (int j = 0; j < nf; ++j) ef[j] = extent(follow[j]);
  std::vector<PointHash> hb;
  hb.reserve(nb);
  for (const auto& l : base) hb.emplace_back(l);
  m.overlap_cc.assign(nb, std::vector<double>(nf, 0.0));
  auto& ov = m.overlap_cc;
  std::vector<std::pair<int, int>> links;
  for (int i = 0; i < nb; ++i)
    for (int j = 0; j < nf; ++j) {
      if (norm(base[i].centroid - follow[j].centroid) > eb[i] + ef[j]) continue;
      ov[i][j] = overlap_with(follow[j], hb[i]);
      const double smaller = std::min(base[i].volume_cc, follow[j].volume_cc);
      if (ov[i][j] > 0 && smaller > 0 && ov[i][j] >= r.min_overlap_fraction * smaller) links.emplace_back(i, j);
    }
  return links;
}

/// Step 2: groups, the connected components of the bipartite overlap graph (union-find over nb + nf nodes).
void overlap_groups(int nb, int nf, const std::vector<std::pair<int, int>>& links, Matching& m,
                    ResponseAssessment& out) {
  std::vector<int> parent(nb + nf);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (auto [i, j] : links) parent[find(i)] = find(nb + j);
  m.group_of_b.assign(nb, 0);
  m.group_of_f.assign(nf, 0);
  std::unordered_map<int, int> root_to_group;
  for (auto [i, j] : links) {
    const int root = find(i);
    if (!root_to_group.count(root)) {
      MatchGroup g;
      g.id = int(out.groups.size()) + 1;
      root_to_group[root] = int(out.groups.size());
      out.groups.push_back(g);
    }
  }
  for (int i = 0; i < nb; ++i)
    if (auto it = root_to_group.find(find(i)); it != root_to_group.end()) {
      out.groups[it->second].baseline.push_back(i);
      m.group_of_b[i] = out.groups[it->second].id;
    }
  for (int j = 0; j < nf; ++j)
    if (auto it = root_to_group.find(find(nb + j)); it != root_to_group.end()) {
      out.groups[it->second].followup.push_back(j);
      m.group_of_f[j] = out.groups[it->second].id;
    }
  for (auto& g : out.groups) {
    const bool many_b = g.baseline.size() > 1, many_f = g.followup.size() > 1;
    g.kind = many_b && many_f ? MatchKind::split_merge : many_b ? MatchKind::merge : many_f ? MatchKind::split
                                                                                        : MatchKind::overlap;
  }
}

/// Step 3: centroid distance between the lesions left, closest pairs first.
void distance_matches(const std::vector<ResponseLesion>& base, const std::vector<ResponseLesion>& follow,
                      const ResponseRules& r, Matching& m, ResponseAssessment& out) {
  const int nb = int(base.size()), nf = int(follow.size());
  std::vector<std::tuple<double, int, int>> near;
  for (int i = 0; i < nb; ++i) {
    if (m.group_of_b[i]) continue;
    for (int j = 0; j < nf; ++j) {
      if (m.group_of_f[j]) continue;
      const double d = norm(base[i].centroid - follow[j].centroid);
      if (d > r.max_match_distance_mm) continue;
      const bool b_in = base[i].ptv_distance_mm && *base[i].ptv_distance_mm <= 0;
      const bool f_out = !follow[j].ptv_distance_mm || *follow[j].ptv_distance_mm > 0;
      if (r.recurrence_leaves_ptv && b_in && f_out) continue;
      near.emplace_back(d, i, j);
    }
  }
  std::sort(near.begin(), near.end());
  for (auto [d, i, j] : near) {
    if (m.group_of_b[i] || m.group_of_f[j]) continue;
    MatchGroup g;
    g.id = int(out.groups.size()) + 1;
    g.baseline = {i};
    g.followup = {j};
    g.kind = MatchKind::distance;
    m.group_of_b[i] = m.group_of_f[j] = g.id;
    out.groups.push_back(g);
  }
}

/// Notes on a row for its lesions that lie partly outside the dose grid.
void note_outside_dose(const std::vector<ResponseLesion>& base, const std::vector<ResponseLesion>& follow,
                       LesionResponse& row) {
  if (row.baseline)
    if (auto n = outside_dose_note(base[*row.baseline], "baseline"); !n.empty()) row.notes.push_back(n);
  if (row.followup)
    if (auto n = outside_dose_note(follow[*row.followup], "follow-up"); !n.empty()) row.notes.push_back(n);
}

/// Step 4: rows, every follow-up lesion, then the baseline lesions that vanished.
void response_rows(const std::vector<ResponseLesion>& base, const std::vector<ResponseLesion>& follow,
                   const ResponseRules& r, const Matching& m, ResponseAssessment& out) {
  const int nb = int(base.size()), nf = int(follow.size());
  const auto& ov = m.overlap_cc;
  auto names = [](const std::vector<ResponseLesion>& ls, const std::vector<int>& idx) {
    std::string s;
    for (int i : idx) s += (s.empty() ? "" : "+") + ls[i].name;
    return s;
  };
  for (int j = 0; j < nf; ++j) {
    LesionResponse row;
    row.followup = j;
    const auto& f = follow[j];
    if (m.group_of_f[j]) {
      const MatchGroup& g = out.groups[m.group_of_f[j] - 1];
      row.group = g.id;
      row.match = g.kind;
      // The baseline lesion it overlaps most (or the only one).
      int best = g.baseline.front();
      for (int i : g.baseline)
        if (ov[i][j] > ov[best][j]) best = i;
      row.baseline = best;
      row.overlap_cc = ov[best][j];
      row.centroid_shift_mm = norm(f.centroid - base[best].centroid);
      judge_treated(base[best], r, row);
      judge_change(aggregate(base, g.baseline), aggregate(follow, g.followup), r, row);
      if (g.kind == MatchKind::split || g.kind == MatchKind::split_merge)
        row.notes.push_back("split: " + names(base, g.baseline) + " -> " + names(follow, g.followup) +
                            " (change of the group)");
      if (g.kind == MatchKind::merge || g.kind == MatchKind::split_merge)
        row.notes.push_back("merge: " + names(base, g.baseline) + " -> " + names(follow, g.followup) +
                            " (change of the group)");
    } else {
      judge_treated(f, r, row);
      row.change = ResponseChange::new_lesion;
    }
    if (row.change == ResponseChange::progressing || row.change == ResponseChange::new_lesion) locate(f, r, row);
    row.status = final_status(row.change, row.location);
    note_outside_dose(base, follow, row);
    out.lesions.push_back(std::move(row));
  }
  for (int i = 0; i < nb; ++i) {
    if (m.group_of_b[i]) continue;
    LesionResponse row;
    row.baseline = i;
    judge_treated(base[i], r, row);
    row.notes.push_back("no follow-up lesion overlaps it or lies within " + number_text(r.max_match_distance_mm) + " mm");
    judge_unsegmented(base[i], r, row);
    if (row.change == ResponseChange::progressing) locate(base[i], r, row);
    row.status = final_status(row.change, row.location);
    note_outside_dose(base, follow, row);
    out.lesions.push_back(std::move(row));
  }
}

/// Step 5: patient level.
PatientResponse patient_response(const std::vector<ResponseLesion>& base, const std::vector<ResponseLesion>& follow,
                                 const ResponseRules& r, const std::vector<LesionResponse>& lesions) {
  const int nb = int(base.size()), nf = int(follow.size());
  PatientResponse p;
  p.baseline_lesions = nb;
  p.followup_lesions = nf;
  bool ppp_increase = false;
  for (const auto& row : lesions) {
    switch (row.change) {
      case ResponseChange::progressing: ++p.progressing; break;
      case ResponseChange::new_lesion: ++p.new_lesions; break;
      case ResponseChange::responding: ++p.responding; break;
      case ResponseChange::stable: ++p.stable; break;
      case ResponseChange::complete_response: ++p.complete_response; break;
    }
    if (row.location == FieldLocation::in_field) ++p.in_field;
    if (row.location == FieldLocation::marginal) ++p.marginal;
    if (row.location == FieldLocation::out_of_field) ++p.out_of_field;
    if (row.baseline && row.followup &&
        ((row.uptake_change_pct && *row.uptake_change_pct >= r.ppp_increase_pct) ||
         (row.volume_change_pct && *row.volume_change_pct >= r.ppp_increase_pct)))
      ppp_increase = true;
  }
  const int n = p.progressing + p.new_lesions;
  p.oligoprogressive = n >= 1 && n <= r.oligo_max_lesions;
  p.oligo_call = n == 0 ? "no progressing or new lesion"
                 : p.oligoprogressive
                     ? "oligoprogression (" + std::to_string(n) + " <= " + std::to_string(r.oligo_max_lesions) + ")"
                     : "polyprogression (" + std::to_string(n) + " > " + std::to_string(r.oligo_max_lesions) + ")";
  if (p.new_lesions >= r.ppp_new_lesions) {
    p.ppp_by_imaging = true;
    p.ppp_call = "PPP by imaging (criterion 1: " + std::to_string(p.new_lesions) + " new lesions >= " +
                 std::to_string(r.ppp_new_lesions) + ")";
  } else if (p.new_lesions >= 1) {
    p.ppp_call = "possible PPP (criterion 2: " + std::to_string(p.new_lesions) +
                 " new lesion): needs clinical or laboratory confirmation";
  } else if (ppp_increase) {
    p.ppp_call = "possible PPP (criterion 3: >= " + number_text(r.ppp_increase_pct) +
                 "% increase in uptake or size of an existing lesion): needs clinical or laboratory confirmation";
  } else {
    p.ppp_call = "no PPP by imaging";
  }
  for (const auto& l : base) p.total_volume_baseline_cc += l.volume_cc;
  for (const auto& l : follow) p.total_volume_followup_cc += l.volume_cc;
  p.total_volume_change_pct = pct_change(p.total_volume_baseline_cc, p.total_volume_followup_cc);
  if (nb == 0 && nf == 0) {
    p.recip = RecipCall::not_evaluable;
    p.recip_call = "NE: no PET lesion at either time point";
  } else if (nf == 0) {
    p.recip = RecipCall::complete_response;
    p.recip_call = "CR: no lesion uptake left at follow-up";
  } else if (!p.total_volume_change_pct) {
    p.recip = p.new_lesions > 0 ? RecipCall::progressive_disease : RecipCall::not_evaluable;
    p.recip_call = p.new_lesions > 0 ? "PD: new lesions without baseline disease" : "NE: no baseline volume";
  } else {
    const double c = *p.total_volume_change_pct;
    const std::string cs = number_text(std::round(10 * c) / 10) + "% total volume";
    if (c <= r.recip_pr_pct && p.new_lesions == 0) {
      p.recip = RecipCall::partial_response;
      p.recip_call = "PR: " + cs + ", no new lesion";
    } else if (c >= r.recip_pd_pct && p.new_lesions > 0) {
      p.recip = RecipCall::progressive_disease;
      p.recip_call = "PD: " + cs + " and " + std::to_string(p.new_lesions) + " new lesion(s)";
    } else {
      p.recip = RecipCall::stable_disease;
      p.recip_call = "SD: " + cs + ", " + std::to_string(p.new_lesions) + " new lesion(s)";
    }
  }
  return p;
}

}  // namespace

Expected<ResponseAssessment> assess_response(const std::vector<ResponseLesion>& base,
                                             const std::vector<ResponseLesion>& follow, const ResponseRules& r) {
  if (auto s = validate_rules(r); !s) return s.error();
  for (const auto* set : {&base, &follow})
    for (const auto& l : *set)
      if (!l.points.empty() && !(l.voxel_volume_mm3 > 0))
        return Error::bad_argument("lesion " + l.name, "a positive voxel volume", number_text(l.voxel_volume_mm3));
  ResponseAssessment out;
  Matching m;
  const auto links = overlap_links(base, follow, r, m);
  overlap_groups(int(base.size()), int(follow.size()), links, m, out);
  distance_matches(base, follow, r, m, out);
  response_rows(base, follow, r, m, out);
  out.patient = patient_response(base, follow, r, out.lesions);
  return out;
}

}  // namespace sbrtkit
