#pragma once
/// Protocol compliance: a protocol (read from a versioned YAML file by pipelines/protocol_loader) lists
/// structures, how to recognise them in a plan (TG-263 name, aliases, patterns matched in linear time, RT ROI
/// Interpreted Type) and constraints on each, written in the TG-263 metric language with a comparison
/// (`D0.35cc[Gy] < 18`, `V100%[%] >= 95`) or on a plan-quality index of a target (`R50% <= table`).
/// evaluate_protocol matches the plan's structures, computes the DVHs it needs (EQD2 DVHs, voxel by
/// voxel, when the plan's fractionation differs from the protocol's and the protocol allows it) and
/// returns one row per constraint and matched structure. Pure computation: no files are read here.
///
///   Protocol p = ...;                          // from load_protocol("tg101-3fx")
///   auto report = evaluate_protocol(p, {.structures = &set, .dose = &dose, .plan_fractions = 3});
///   report->overall                          // ComplianceLevel::pass / minor / major

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/metric.h"
#include "sbrtkit/plan_quality.h"
#include "sbrtkit/roi_pattern.h"
#include "sbrtkit/structure.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

enum class Comparison { less, less_equal, greater, greater_equal };
std::optional<Comparison> parse_comparison(std::string_view text);
const char* to_string(Comparison c);
bool satisfies(double value, Comparison c, double limit);

/// Plan-quality indices a target constraint may use besides the TG-263 metrics.
enum class PlanIndex {
  rtog_ci,         // "CI" (= R100%)
  paddick_ci,      // "PaddickCI"
  gradient_index,  // "GI"
  r50,             // "R50%"
  d2cm_pct,        // "D2cm[%]" (% of Rx)
  hi,              // "HI"
  near_max_gy,     // "NearMax[Gy]" (ICRU 91: D2% if PTV >= 2 cc, else D0.035cc)
  near_max_pct,    // "NearMax[%]"
};
std::optional<PlanIndex> parse_plan_index(std::string_view text);

/// Limits that depend on the PTV volume (RTOG 0915 style): linear interpolation, clamped at the ends.
struct LimitTable {
  std::vector<double> ptv_cc, limit, minor_limit;  // minor_limit may be empty
};

struct Constraint {
  std::string text;         // as written, e.g. "D0.35cc[Gy] < 18"
  std::string metric_text;  // "D0.35cc[Gy]"
  std::optional<Metric> metric;     // TG-263 metric, or
  std::optional<PlanIndex> index;   // a plan-quality index (targets only)
  Comparison comparison = Comparison::less_equal;
  std::optional<double> limit;        // absent when `table` gives it
  std::optional<double> minor_limit;  // failing `limit` but meeting this is a minor deviation
  std::optional<LimitTable> table;
  bool unconfirmed = false;  // the value was not checked against a primary source
  std::string note;
  int line = 0;  // in the protocol file, for messages
};

enum class StructureRole { organ, target };

struct StructureRule {
  std::string name;  // TG-263 name
  std::vector<std::string> aliases;
  std::vector<RoiPattern> patterns;  // compiled at load; whole name, case-insensitive (roi_pattern.h)
  std::vector<std::string> interpreted_types;  // RT ROI Interpreted Types accepted (empty: any)
  StructureRole role = StructureRole::organ;
  bool required = false;
  std::optional<double> alpha_beta_gy;  // for EQD2 conversion; else the protocol's
  std::vector<Constraint> constraints;
  std::string from;  // protocol id the rule comes from (an organ-limit protocol included by fractions)
  int line = 0;
};

/// Organ limits taken from another protocol depending on the plan's number of fractions.
struct FractionVariant {
  int fractions = 0;
  std::string protocol_id;
  std::vector<StructureRule> structures;
};

struct Eqd2Conversion {
  double alpha_beta_gy = 3;  // default for structures without their own
  int reference_fractions = 0;  // fractions the protocol's dose limits are written for
};

struct Protocol {
  std::string id;  // "tg101-3fx"
  std::string name, version, source, description;
  std::string file;
  std::vector<int> fractions;  // fractionations the limits apply to; empty: any
  std::optional<double> prescription_gy;
  std::optional<int> prescription_fractions;
  std::optional<Eqd2Conversion> eqd2;  // absent: no conversion; a fractionation mismatch is an error
  std::vector<StructureRule> structures;
  std::vector<FractionVariant> by_fractions;
  std::vector<std::string> notes;
};

/// Match of a rule against a name / type: "name", "alias 'X'", "pattern 'Y'", or nullopt.
std::optional<std::string> match_rule(const StructureRule& rule, const Structure& structure);

struct CheckInputs {
  const StructureSet* structures = nullptr;
  const DoseVolume* dose = nullptr;
  std::optional<int> plan_fractions;
  std::map<int, double> target_rx_by_roi;  // RTPLAN DoseReference > ReferencedROINumber
  std::optional<double> plan_rx_gy;        // --rx (applies to every target) or the plan-level Rx
  bool rx_overrides_targets = false;       // true for --rx
  DvhOptions engine;
};

enum class ComplianceLevel { pass, minor, major, not_evaluable };
const char* to_string(ComplianceLevel level);

struct ConstraintRow {
  std::string protocol_structure;  // rule name
  std::string from;                // protocol the rule comes from
  std::string structure;           // plan ROI name, "" when missing
  int roi_number = 0;
  std::string matched_by;
  std::string role;  // "target" or "organ"
  bool required = false;
  std::string constraint;  // text as in the protocol
  std::string metric;
  std::string unit;  // of value and limit: Gy, cGy, %, cc, "" for ratios
  std::optional<double> value;
  std::string comparison;
  std::optional<double> limit, minor_limit;
  std::optional<double> prescription_gy;  // targets
  ComplianceLevel result = ComplianceLevel::not_evaluable;
  std::string reason;  // why not evaluable, conversions applied, warnings
  bool unconfirmed = false;
  bool eqd2 = false;  // value and limit are EQD2
};

struct ComplianceReport {
  std::string protocol_id, protocol_name, protocol_version, protocol_source;
  std::optional<int> plan_fractions;
  std::vector<int> protocol_fractions;
  std::optional<Eqd2Conversion> eqd2_applied;  // when the plan's fractions differ and the protocol converts
  std::vector<ConstraintRow> rows;
  std::vector<std::string> missing_required;  // protocol structure names
  int passed = 0, minor = 0, major = 0, not_evaluable = 0;
  ComplianceLevel overall = ComplianceLevel::pass;  // major if any major or a required structure is missing
  std::string attribution;  // when plan-quality indices were used
  std::vector<TargetQuality> targets;
  std::vector<std::string> notes, warnings;
};

/// The body (RT ROI Interpreted Type EXTERNAL, else a structure named BODY / External / Outline,
/// case-insensitive), or nullptr.
const Structure* find_body(const StructureSet& set);

/// Errors: missing inputs, a fractionation the protocol does not cover and may not convert, contour
/// errors from the engine. Missing structures and uncomputable metrics are rows, not errors.
Expected<ComplianceReport> evaluate_protocol(const Protocol& protocol, const CheckInputs& inputs);

}  // namespace sbrtkit
