#pragma once
/// Lesion response between a baseline and a follow-up PET, both already mapped into the planning frame:
/// one-to-one matching (mask overlap, then centroid distance; splits and merges reported as groups, not
/// forced), per-lesion treated / change / location classification with configurable thresholds, and the
/// patient-level calls (oligoprogression, PPP, RECIP 1.0) as far as imaging alone decides them.
/// Pure computation; the rules are read from YAML in pipelines/ (rules/response-default.yaml).
///
///   ResponseRules rules;                                   // defaults of sbrt-domain.md sections 6 and 7
///   auto r = assess_response(baseline, followup, rules);   // r->lesions, r->groups, r->patient
///   for (const auto& l : r->lesions) puts(status_name(l.status));

#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/geometry.h"

namespace sbrtkit {

/// Uptake metric the change is measured on.
enum class ChangeMetric { suv_peak, suv_max };

struct ResponseRules {
  // Matching.
  double min_overlap_fraction = 0.05;  // overlap / smaller lesion volume to link two lesions
  double max_match_distance_mm = 10;   // centroid distance for lesions that do not overlap
  /// A baseline lesion treated by the plan (centroid in a PTV) and a follow-up lesion whose centroid is
  /// outside every PTV are never the same lesion: the follow-up one is a recurrence.
  bool recurrence_leaves_ptv = true;
  // Treated: centroid inside a PTV, or >= treated_volume_pct of the volume at >= treated_isodose_pct of Rx.
  double treated_volume_pct = 80;
  double treated_isodose_pct = 95;
  // Change (PERCIST 1.0 style, Wahl 2009).
  ChangeMetric metric = ChangeMetric::suv_peak;
  double change_pct = 30;              // |relative change| above this ...
  double change_abs_suv = 0.8;         // ... and |absolute change| above this
  double tlg_progression_pct = 75;     // PERCIST PMD by TLG; <= 0 disables
  /// Complete response of a baseline lesion with no follow-up lesion: only when the uptake measured at
  /// its place in the follow-up (UptakeAtPlace) is indistinguishable from its surroundings (PERCIST CMR:
  /// "indistinguishable from surrounding background"), read operationally as either
  ///  - the change metric at place at most this percentile of the SUV in the background shell around it, or
  ///  - its contrast above the shell median at most complete_response_residual_contrast_pct % of the
  ///    baseline lesion's contrast above that median (a bone lesion's place returns to marrow uptake,
  ///    which sits above the median of a shell of marrow and soft tissue but is no lesion).
  double complete_response_background_percentile = 95;
  double complete_response_residual_contrast_pct = 10;
  // Location of progressing and new lesions.
  double in_field_isodose_pct = 95;    // in-field: centroid in the PTV, or >= in_field_volume_pct inside this isodose
  double in_field_volume_pct = 80;
  double marginal_isodose_pct = 50;    // marginal: centroid dose >= this % of Rx ...
  double marginal_distance_mm = 20;    // ... or centroid within this distance of a PTV
  // Patient level.
  int oligo_max_lesions = 3;           // progressing + new; ESTRO-ASTRO allows up to 5
  double recip_pr_pct = -30;           // RECIP 1.0 (Gafita 2022), total tumour volume
  double recip_pd_pct = 20;
  int ppp_new_lesions = 2;             // PPP (Fanti 2020) criterion 1
  double ppp_increase_pct = 30;        // PPP criterion 3 (needs confirmation)
  std::string source;                  // file the rules came from, or "built-in defaults"
};

/// "rule text" lines describing every threshold, for the outputs.
std::vector<std::string> describe_rules(const ResponseRules& rules);
/// Errors (bad_argument): a threshold out of range (negative distance, percent outside 0..100, ...).
Status validate_rules(const ResponseRules& rules);

/// Uptake of the follow-up PET inside a baseline lesion's volume mapped to the follow-up (set for baseline
/// lesions): what decides a lesion the follow-up segmentation did not pick up. "Not segmented" is not
/// "gone": a treated lesion can fall below the seed SUV and still take up well above the background.
struct UptakeAtPlace {
  double suv_max = 0, suv_peak = 0;
  double background_median_suv = 0;  // of the shell around the place
  double background_level_suv = 0;   // the shell's complete_response_background_percentile
  /// Voxels of the place left out because they lie within the spill-out distance of a follow-up lesion
  /// (their uptake is that lesion's); all of them when the place is covered by a neighbour's spill-out.
  std::size_t voxels_measured = 0, voxels_near_other_lesion = 0;
  std::string nearest_followup_lesion;  // the neighbour whose spill-out covers part of the place, if any
};

/// One lesion at one time point, in the planning frame, with its planned-dose context.
struct ResponseLesion {
  int id = 0;                 // id in its own time point (1..n)
  std::string name;
  PatientPoint centroid;      // planning frame
  double volume_cc = 0, suv_max = 0, suv_peak = 0, suv_mean = 0, tlg = 0;
  /// Voxel centres (planning frame) and the voxel size of the grid they come from, for overlaps.
  std::vector<PatientPoint> points;
  double voxel_volume_mm3 = 0;
  double voxel_size_mm = 0;   // largest spacing of that grid
  /// Planned dose context. ptv: nearest PTV (signed distance of the centroid, negative inside).
  std::string ptv;
  std::optional<double> ptv_distance_mm;
  std::optional<double> prescription_gy;  // that PTV's Rx
  std::optional<double> centroid_dose_gy;
  /// Dose at each point (empty without a dose grid); nullopt where the point lies outside the dose grid:
  /// unknown, never 0 Gy. Isodose fractions count the points of known dose only, and say so.
  std::vector<std::optional<double>> point_dose_gy;
  /// Baseline lesions: the follow-up uptake at this lesion's place (nullopt when not measured, e.g. the
  /// place lies outside the follow-up field of view).
  std::optional<UptakeAtPlace> followup_at_place;
};

enum class ResponseChange { complete_response, responding, stable, progressing, new_lesion };
enum class FieldLocation { none, in_field, marginal, out_of_field };
/// Final status; codes 1..7 are the label-map values.
enum class ResponseStatus {
  complete_response = 1,
  responding = 2,
  stable = 3,
  in_field_progression = 4,
  marginal_recurrence = 5,
  progressing_out_of_field = 6,
  new_lesion = 7,
};
inline constexpr int kResponseStatusCount = 7;
const char* status_name(ResponseStatus s);  // "complete_response", ..., "new"
const char* change_name(ResponseChange c);
const char* location_name(FieldLocation l);
/// Display colour of a status (RGB), shared by the PNG, the VTP and the legend.
struct StatusRgb {
  unsigned char r, g, b;
};
StatusRgb status_colour(ResponseStatus s);

enum class MatchKind { overlap, distance, split, merge, split_merge, none };
const char* match_name(MatchKind k);

struct LesionResponse {
  std::optional<int> baseline;  // index into the baseline vector
  std::optional<int> followup;  // index into the follow-up vector
  int group = 0;                // match group (1..); 0 when unmatched
  MatchKind match = MatchKind::none;
  double overlap_cc = 0;
  std::optional<double> centroid_shift_mm;
  bool treated = false;               // judged on the baseline lesion when there is one
  std::string treated_by;             // "centroid in PTV_L3" / ">= 80% of the volume at >= 95% of 30 Gy (PTV_L3)"
  ResponseChange change = ResponseChange::stable;
  std::optional<double> uptake_change_pct, uptake_change_suv, volume_change_pct, tlg_change_pct;
  FieldLocation location = FieldLocation::none;
  std::string location_rule;          // which test decided the location
  std::optional<double> in_field_fraction;  // of the follow-up volume inside the in-field isodose
  ResponseStatus status = ResponseStatus::stable;
  std::vector<std::string> notes;
};

struct MatchGroup {
  int id = 0;
  std::vector<int> baseline, followup;  // indices
  MatchKind kind = MatchKind::none;
};

enum class RecipCall { complete_response, partial_response, stable_disease, progressive_disease, not_evaluable };
const char* recip_name(RecipCall c);

struct PatientResponse {
  int baseline_lesions = 0, followup_lesions = 0;
  int progressing = 0, new_lesions = 0, responding = 0, stable = 0, complete_response = 0;
  int in_field = 0, marginal = 0, out_of_field = 0;  // among progressing + new
  bool oligoprogressive = false;   // 1 .. oligo_max_lesions progressing or new
  std::string oligo_call;          // "no progression", "oligoprogression (2 <= 3)", "polyprogression (5 > 3)"
  std::string ppp_call;            // "PPP: ... ", incl. "needs clinical/laboratory confirmation"
  bool ppp_by_imaging = false;
  double total_volume_baseline_cc = 0, total_volume_followup_cc = 0;
  std::optional<double> total_volume_change_pct;
  RecipCall recip = RecipCall::not_evaluable;
  std::string recip_call;
};

struct ResponseAssessment {
  std::vector<LesionResponse> lesions;  // follow-up lesions in order, then vanished baseline lesions
  std::vector<MatchGroup> groups;
  PatientResponse patient;
};

/// Volume (cc) of lesion a's points that fall inside lesion b (a point is inside b when b has a voxel
/// centre within half of b's voxel size on every axis of a planning-frame grid cell; see response.cpp).
double overlap_cc(const ResponseLesion& a, const ResponseLesion& b);

/// Errors: invalid rules; a lesion with points but no voxel volume.
Expected<ResponseAssessment> assess_response(const std::vector<ResponseLesion>& baseline,
                                             const std::vector<ResponseLesion>& followup,
                                             const ResponseRules& rules);

}  // namespace sbrtkit
