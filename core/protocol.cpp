#include "sbrtkit/protocol.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "sbrtkit/radiobiology.h"
#include "sbrtkit/structure_samples.h"

namespace sbrtkit {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string number(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.4g", v);
  return buffer;
}

bool absolute_dose_input(const Metric& m) {
  return m.input_unit() == MetricInputUnit::gy || m.input_unit() == MetricInputUnit::cgy;
}
bool absolute_dose_output(const Metric& m) {
  return m.output_unit() == MetricOutputUnit::gy || m.output_unit() == MetricOutputUnit::cgy;
}

std::string unit_of(const Metric& m) {
  switch (m.output_unit()) {
    case MetricOutputUnit::gy: return "Gy";
    case MetricOutputUnit::cgy: return "cGy";
    case MetricOutputUnit::percent_rx: return "%Rx";
    case MetricOutputUnit::cc: return "cc";
    case MetricOutputUnit::percent_volume: return "%";
  }
  return "";
}

std::string unit_of(PlanIndex index) {
  switch (index) {
    case PlanIndex::d2cm_pct:
    case PlanIndex::near_max_pct: return "%Rx";
    case PlanIndex::near_max_gy: return "Gy";
    default: return "";
  }
}

std::optional<double> index_value(PlanIndex index, const TargetQuality& q) {
  switch (index) {
    case PlanIndex::rtog_ci: return q.rtog_ci;
    case PlanIndex::paddick_ci: return q.paddick_ci;
    case PlanIndex::gradient_index: return q.gradient_index;
    case PlanIndex::r50: return q.r50;
    case PlanIndex::d2cm_pct: return q.d2cm_pct;
    case PlanIndex::hi: return q.hi;
    case PlanIndex::near_max_gy:
      return q.tv_cc > 0 ? std::optional<double>(q.near_max_gy) : std::nullopt;
    case PlanIndex::near_max_pct:
      return q.tv_cc > 0 ? std::optional<double>(100 * q.near_max_gy / q.prescription_gy) : std::nullopt;
  }
  return std::nullopt;
}

ComplianceLevel grade(double value, Comparison c, double limit, std::optional<double> minor_limit) {
  if (satisfies(value, c, limit)) return ComplianceLevel::pass;
  if (minor_limit && satisfies(value, c, *minor_limit)) return ComplianceLevel::minor;
  return ComplianceLevel::major;
}

struct Match {
  const Structure* structure;
  std::string how;
};

}  // namespace

std::optional<Comparison> parse_comparison(std::string_view text) {
  if (text == "<") return Comparison::less;
  if (text == "<=") return Comparison::less_equal;
  if (text == ">") return Comparison::greater;
  if (text == ">=") return Comparison::greater_equal;
  return std::nullopt;
}

const char* to_string(Comparison c) {
  switch (c) {
    case Comparison::less: return "<";
    case Comparison::less_equal: return "<=";
    case Comparison::greater: return ">";
    case Comparison::greater_equal: return ">=";
  }
  return "<=";
}

bool satisfies(double value, Comparison c, double limit) {
  switch (c) {
    case Comparison::less: return value < limit;
    case Comparison::less_equal: return value <= limit;
    case Comparison::greater: return value > limit;
    case Comparison::greater_equal: return value >= limit;
  }
  return false;
}

std::optional<PlanIndex> parse_plan_index(std::string_view text) {
  if (text == "CI" || text == "R100%") return PlanIndex::rtog_ci;
  if (text == "PaddickCI") return PlanIndex::paddick_ci;
  if (text == "GI") return PlanIndex::gradient_index;
  if (text == "R50%") return PlanIndex::r50;
  if (text == "D2cm[%]") return PlanIndex::d2cm_pct;
  if (text == "HI") return PlanIndex::hi;
  if (text == "NearMax[Gy]") return PlanIndex::near_max_gy;
  if (text == "NearMax[%]") return PlanIndex::near_max_pct;
  return std::nullopt;
}

const char* to_string(ComplianceLevel level) {
  switch (level) {
    case ComplianceLevel::pass: return "pass";
    case ComplianceLevel::minor: return "minor";
    case ComplianceLevel::major: return "major";
    case ComplianceLevel::not_evaluable: return "not evaluable";
  }
  return "not evaluable";
}

std::optional<std::string> match_rule(const StructureRule& rule, const Structure& s) {
  if (!rule.interpreted_types.empty() && !s.interpreted_type.empty()) {
    const std::string type = lower(s.interpreted_type);
    if (std::none_of(rule.interpreted_types.begin(), rule.interpreted_types.end(),
                     [&](const std::string& t) { return lower(t) == type; }))
      return std::nullopt;
  }
  const std::string name = lower(s.name);
  if (name == lower(rule.name)) return std::string("name");
  for (const auto& a : rule.aliases)
    if (name == lower(a)) return "alias '" + a + "'";
  for (const auto& p : rule.patterns)
    if (p.matches(s.name)) return "pattern '" + p.text() + "'";
  return std::nullopt;
}

const Structure* find_body(const StructureSet& set) {
  for (const auto& s : set.structures)
    if (lower(s.interpreted_type) == "external") return &s;
  for (const auto& s : set.structures) {
    const std::string n = lower(s.name);
    if (n == "body" || n == "external" || n == "outline") return &s;
  }
  return nullptr;
}

namespace {

/// A rule in force for this plan and the number of fractions its limits are written for.
struct RuleInUse {
  const StructureRule* rule;
  int reference_fractions;
};

/// Step 1, fractionation: the protocol's limits hold for its own fractions; otherwise convert to EQD2
/// when the protocol says how, else refuse (comparing physical doses across fractionations is wrong).
/// Returns whether to convert.
Expected<bool> check_fractionation(const Protocol& protocol, const CheckInputs& in, ComplianceReport& report) {
  const auto& pf = protocol.fractions;
  if (!in.plan_fractions) {
    report.warnings.push_back("the plan's number of fractions is unknown (no RTPLAN or NumberOfFractionsPlanned "
                              "empty): the protocol's fractionation is assumed");
    return false;
  }
  if (pf.empty() || std::find(pf.begin(), pf.end(), *in.plan_fractions) != pf.end()) return false;
  if (!protocol.eqd2) {
    std::string list;
    for (int f : pf) list += (list.empty() ? "" : ", ") + std::to_string(f);
    return Error::inconsistent(protocol.file, "fractions",
                               "protocol '" + protocol.id + "' applies to " + list + " fraction(s) and has no eqd2 "
                               "section; the plan has " + std::to_string(*in.plan_fractions) +
                               " (use a protocol for that fractionation, or --fractions)");
  }
  report.eqd2_applied = protocol.eqd2;
  report.notes.push_back("the plan has " + std::to_string(*in.plan_fractions) + " fractions, the protocol's limits " +
                         "are for " + std::to_string(protocol.eqd2->reference_fractions) +
                         ": absolute-dose constraints are compared in EQD2, the plan's DVHs converted voxel by voxel");
  return true;
}

/// Step 2, rules: the protocol's own, then the organ limits for the plan's fractionation (which may
/// switch the conversion on when only the reference fractionation's limits exist).
std::vector<RuleInUse> rules_in_use(const Protocol& protocol, const CheckInputs& in, bool& convert,
                                    ComplianceReport& report) {
  std::vector<RuleInUse> rules;
  const auto& pf = protocol.fractions;
  const int own_reference = protocol.eqd2 ? protocol.eqd2->reference_fractions
                            : !pf.empty()  ? pf.front()
                                           : in.plan_fractions.value_or(0);
  for (const auto& r : protocol.structures) rules.push_back({&r, own_reference});
  if (protocol.by_fractions.empty()) return rules;
  const int wanted = in.plan_fractions.value_or(protocol.prescription_fractions.value_or(0));
  const FractionVariant* variant = nullptr;
  for (const auto& v : protocol.by_fractions)
    if (v.fractions == wanted) variant = &v;
  if (!variant && protocol.eqd2) {
    for (const auto& v : protocol.by_fractions)
      if (v.fractions == protocol.eqd2->reference_fractions) variant = &v;
    if (variant) convert = true;
  }
  if (variant) {
    report.notes.push_back("organ limits for " + std::to_string(wanted) + " fraction(s): " + variant->protocol_id);
    for (const auto& r : variant->structures) rules.push_back({&r, variant->fractions});
  } else {
    report.warnings.push_back("no organ-limit protocol for " + std::to_string(wanted) + " fraction(s)");
  }
  return rules;
}

/// Step 3, matching: the plan's structures each rule recognises, in RTSTRUCT order.
std::vector<std::vector<Match>> match_rules(const std::vector<RuleInUse>& rules, const StructureSet& set) {
  std::vector<std::vector<Match>> matches(rules.size());
  for (std::size_t i = 0; i < rules.size(); ++i)
    for (const auto& s : set.structures)
      if (auto how = match_rule(*rules[i].rule, s)) matches[i].push_back({&s, *how});
  return matches;
}

/// Step 4, targets and their prescriptions: --rx overrides, else the RTPLAN's per-ROI dose reference,
/// the plan-level Rx, the protocol's. A target without any keeps nullopt (its %-Rx rows say so).
struct Targets {
  std::vector<QaTarget> with_rx;
  std::map<int, std::optional<double>> rx_by_roi;
};
Targets target_prescriptions(const Protocol& protocol, const CheckInputs& in, const std::vector<RuleInUse>& rules,
                             const std::vector<std::vector<Match>>& matches) {
  Targets out;
  std::set<int> seen;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].rule->role != StructureRole::target) continue;
    for (const auto& m : matches[i]) {
      if (!seen.insert(m.structure->roi_number).second) continue;
      std::optional<double> rx;
      if (in.rx_overrides_targets) rx = in.plan_rx_gy;
      else if (auto it = in.target_rx_by_roi.find(m.structure->roi_number); it != in.target_rx_by_roi.end()) rx = it->second;
      else if (in.plan_rx_gy) rx = in.plan_rx_gy;
      else rx = protocol.prescription_gy;
      out.rx_by_roi[m.structure->roi_number] = rx;
      if (rx) out.with_rx.push_back({m.structure, *rx});
    }
  }
  return out;
}

/// Step 5, plan-quality indices, computed only when a target constraint uses one.
struct Indices {
  std::optional<PlanQuality> plan_quality;
  std::map<int, const TargetQuality*> by_roi;  // into plan_quality
  std::string unavailable;                     // why there are none, when a target needs them
};
Expected<Indices> plan_indices(const CheckInputs& in, const std::vector<RuleInUse>& rules, const Targets& targets,
                               ComplianceReport& report) {
  Indices out;
  bool needed = false;
  for (const auto& r : rules)
    if (r.rule->role == StructureRole::target)
      for (const auto& c : r.rule->constraints) needed |= c.index.has_value();
  if (!needed || targets.with_rx.empty()) return out;
  const Structure* body = find_body(*in.structures);
  if (!body) {
    out.unavailable = "no body structure (RT ROI Interpreted Type EXTERNAL, or named BODY / External)";
    return out;
  }
  PlanQualityOptions options;
  options.engine = in.engine;
  auto q = compute_plan_quality(*body, targets.with_rx, *in.dose, options);
  if (!q) return q.error();
  out.plan_quality = std::move(*q);
  report.attribution = out.plan_quality->attribution;
  report.targets = out.plan_quality->targets;
  for (const auto& w : out.plan_quality->warnings) report.warnings.push_back(w);
  return out;
}

/// DVHs computed once per ROI (physical) and per ROI and alpha/beta (EQD2, voxel by voxel).
class DvhCache {
 public:
  explicit DvhCache(const CheckInputs& in) : in_(in), field_(*in.dose) {}

  Expected<const Dvh*> physical(const Structure& s) {
    auto it = physical_.find(s.roi_number);
    if (it == physical_.end()) {
      auto r = compute_dvh(s, field_, in_.engine);
      if (!r) return Error(r.error()).with_context("ROI " + std::to_string(s.roi_number) + " '" + s.name + "'");
      warnings_[s.roi_number] = r->warnings;
      it = physical_.emplace(s.roi_number, std::move(r->dvh)).first;
    }
    return &it->second;
  }
  Expected<const Dvh*> eqd2(const Structure& s, double alpha_beta_gy) {
    const auto key = std::make_pair(s.roi_number, alpha_beta_gy);
    auto it = eqd2_.find(key);
    if (it == eqd2_.end()) {
      auto samples = sample_structure(s, *in_.dose, in_.engine);
      if (!samples) return samples.error();
      it = eqd2_.emplace(key, dvh_from_samples(*samples, in_.engine.bin_width_gy, *in_.plan_fractions, alpha_beta_gy))
               .first;
    }
    return &it->second;
  }
  /// The physical DVH's warnings of one kind (computed by physical() first).
  std::vector<std::string> warnings(int roi_number, DvhWarningKind kind) const {
    std::vector<std::string> out;
    if (auto it = warnings_.find(roi_number); it != warnings_.end())
      for (const auto& w : it->second)
        if (w.kind == kind) out.push_back(w.text);
    return out;
  }

 private:
  const CheckInputs& in_;
  DoseField field_;
  std::map<int, Dvh> physical_;
  std::map<std::pair<int, double>, Dvh> eqd2_;
  std::map<int, std::vector<DvhWarning>> warnings_;
};

/// Everything a row of one rule needs besides the constraint.
struct RuleContext {
  const Protocol& protocol;
  const CheckInputs& in;
  const StructureRule& rule;
  int reference_fractions;
  bool converts;        // the plan's fractionation differs from the rule's reference and EQD2 applies
  double alpha_beta_gy;
};

ConstraintRow base_row(const RuleContext& ctx, const Constraint& c) {
  ConstraintRow row;
  row.protocol_structure = ctx.rule.name;
  row.from = ctx.rule.from.empty() ? ctx.protocol.id : ctx.rule.from;
  row.role = ctx.rule.role == StructureRole::target ? "target" : "organ";
  row.required = ctx.rule.required;
  row.constraint = c.text;
  row.metric = c.metric_text;
  row.unit = c.metric ? unit_of(*c.metric) : unit_of(*c.index);
  row.comparison = to_string(c.comparison);
  row.limit = c.limit;
  row.minor_limit = c.minor_limit;
  row.unconfirmed = c.unconfirmed;
  return row;
}

/// A plan-quality index row (targets only): the index of the matched target, limits from the PTV-volume
/// table when the constraint has one.
void evaluate_index(const RuleContext& ctx, const Constraint& c, const Structure& s, const Indices& indices,
                    ConstraintRow& row, std::vector<std::string>& reasons) {
  if (ctx.rule.role != StructureRole::target) {
    row.reason = "plan-quality indices apply to targets only";
  } else if (!row.prescription_gy) {
    row.reason = "no prescription for this target (RTPLAN, --rx or the protocol)";
  } else if (!indices.unavailable.empty()) {
    row.reason = indices.unavailable;
  } else if (auto it = indices.by_roi.find(s.roi_number); it != indices.by_roi.end()) {
    const TargetQuality& q = *it->second;
    if (c.table) {
      row.limit = interpolate_clamped(c.table->ptv_cc, c.table->limit, q.tv_cc);
      if (!c.table->minor_limit.empty())
        row.minor_limit = interpolate_clamped(c.table->ptv_cc, c.table->minor_limit, q.tv_cc);
      reasons.push_back("limits interpolated at PTV " + number(q.tv_cc) + " cc");
    }
    row.value = index_value(*c.index, q);
    if (!row.value) reasons.insert(reasons.end(), q.warnings.begin(), q.warnings.end());
  }
}

/// The EQD2 form of an absolute-dose constraint: a dose level inside the metric (V20Gy) becomes the
/// EQD2 of that level in the rule's reference fractionation, carried as a Metric; a dose limit (D0.35cc
/// < 18 Gy) becomes the EQD2 of the limit. The plan's DVH is converted voxel by voxel by the caller.
struct Eqd2Form {
  Metric metric;
  std::optional<double> limit, minor_limit;
  std::string why;
};
Expected<Eqd2Form> eqd2_form(const RuleContext& ctx, const Constraint& c, const std::string& unit) {
  const Metric& metric = *c.metric;
  const int n_ref = ctx.reference_fractions;
  const double ab = ctx.alpha_beta_gy;
  auto to_eqd2 = [&](double gy) { return *eqd2_gy(gy, n_ref, ab); };
  Eqd2Form out{metric, c.limit, c.minor_limit,
               "EQD2 (a/b " + number(ab) + " Gy): plan " + std::to_string(*ctx.in.plan_fractions) + " fx voxel by voxel"};
  if (absolute_dose_input(metric)) {
    const double level_gy =
        metric.input_unit() == MetricInputUnit::cgy ? metric.input_value() / 100 : metric.input_value();
    const double level_eqd2 = to_eqd2(level_gy);
    auto converted = metric.at_dose_level_gy(level_eqd2);
    if (!converted)
      return Error::bad_metric(metric.text(), metric.text(), "a volume-at-dose metric with a dose level >= 0 Gy");
    out.metric = *converted;
    out.why += "; dose level " + number(level_gy) + " Gy in " + std::to_string(n_ref) + " fx -> " + number(level_eqd2) +
               " Gy EQD2";
  }
  if (absolute_dose_output(metric) && c.limit) {
    const double scale = metric.output_unit() == MetricOutputUnit::cgy ? 100.0 : 1.0;
    out.limit = scale * to_eqd2(*c.limit / scale);
    if (c.minor_limit) out.minor_limit = scale * to_eqd2(*c.minor_limit / scale);
    out.why += "; limit " + number(*c.limit) + " " + unit + " in " + std::to_string(n_ref) + " fx -> " +
               number(*out.limit) + " " + unit + " EQD2";
  }
  return out;
}

/// A TG-263 metric row: physical or EQD2 DVH, the trivially met "no X cc above" on a smaller structure.
Status evaluate_metric(const RuleContext& ctx, const Constraint& c, const Structure& s, const Dvh& physical,
                       DvhCache& dvhs, ConstraintRow& row, std::vector<std::string>& reasons) {
  const Metric& metric = *c.metric;
  const Dvh* used = &physical;
  std::optional<Metric> evaluated = metric;
  if (ctx.converts && (absolute_dose_input(metric) || absolute_dose_output(metric))) {
    auto e = dvhs.eqd2(s, ctx.alpha_beta_gy);
    if (!e) return e.error();
    auto form = eqd2_form(ctx, c, row.unit);
    if (!form) return form.error();
    used = *e;
    row.eqd2 = true;
    evaluated = form->metric;
    if (absolute_dose_output(metric) && c.limit) {
      row.limit = form->limit;
      row.minor_limit = form->minor_limit;
    }
    reasons.push_back(form->why);
  }
  // A "no X cc above the limit" constraint on a structure smaller than X cc holds trivially.
  const bool upper = c.comparison == Comparison::less || c.comparison == Comparison::less_equal;
  if (metric.kind() == MetricKind::dose_at_volume && metric.input_unit() == MetricInputUnit::cc && upper &&
      used->outside_volume_cc() <= 0 && used->total_volume_cc() < metric.input_value()) {
    row.result = ComplianceLevel::pass;
    reasons.push_back("the structure (" + number(used->total_volume_cc()) + " cc) is smaller than " +
                      number(metric.input_value()) + " cc: no such volume can exceed the limit");
  } else {
    const MetricResult r = evaluate(*evaluated, *used, row.prescription_gy);
    row.value = r.value;
    if (!r.warning.empty()) reasons.push_back(r.warning);
  }
  return ok();
}

/// Step 6, rows of one rule: one per constraint and matched structure, or per constraint when nothing
/// matched (missing structure).
Status evaluate_rule(const RuleContext& ctx, const std::vector<Match>& matches, const Targets& targets,
                     const Indices& indices, DvhCache& dvhs, ComplianceReport& report) {
  const StructureRule& rule = ctx.rule;
  if (matches.empty()) {
    if (rule.required) report.missing_required.push_back(rule.name);
    for (const auto& c : rule.constraints) {
      ConstraintRow row = base_row(ctx, c);
      row.reason = rule.required ? "required structure missing" : "structure missing (optional)";
      report.rows.push_back(std::move(row));
    }
    return ok();
  }
  for (const auto& m : matches) {
    const Structure& s = *m.structure;
    auto dvh = dvhs.physical(s);
    if (!dvh) return dvh.error();
    for (const auto& c : rule.constraints) {
      ConstraintRow row = base_row(ctx, c);
      row.structure = s.name;
      row.roi_number = s.roi_number;
      row.matched_by = m.how;
      if (rule.role == StructureRole::target) {
        if (auto it = targets.rx_by_roi.find(s.roi_number); it != targets.rx_by_roi.end()) row.prescription_gy = it->second;
      } else {
        row.prescription_gy = ctx.in.plan_rx_gy ? ctx.in.plan_rx_gy : ctx.protocol.prescription_gy;
      }
      std::vector<std::string> reasons;
      if (c.index) {
        evaluate_index(ctx, c, s, indices, row, reasons);
      } else if (auto st = evaluate_metric(ctx, c, s, **dvh, dvhs, row, reasons); !st) {
        return st.error();
      }
      if (row.value && row.limit) row.result = grade(*row.value, c.comparison, *row.limit, row.minor_limit);
      if (!row.value && row.result != ComplianceLevel::pass) row.result = ComplianceLevel::not_evaluable;
      for (auto& w : dvhs.warnings(s.roi_number, DvhWarningKind::outside_dose_grid)) reasons.push_back(std::move(w));
      if (!c.note.empty()) reasons.push_back(c.note);
      for (const auto& r : reasons) row.reason += (row.reason.empty() ? "" : "; ") + r;
      report.rows.push_back(std::move(row));
    }
  }
  return ok();
}

/// Step 7, the tally and the overall result: major if any row is major or a required structure is missing.
void tally(ComplianceReport& report) {
  for (const auto& row : report.rows) {
    switch (row.result) {
      case ComplianceLevel::pass: ++report.passed; break;
      case ComplianceLevel::minor: ++report.minor; break;
      case ComplianceLevel::major: ++report.major; break;
      case ComplianceLevel::not_evaluable: ++report.not_evaluable; break;
    }
  }
  report.overall = report.major > 0 || !report.missing_required.empty() ? ComplianceLevel::major
                   : report.minor > 0                                   ? ComplianceLevel::minor
                                                                        : ComplianceLevel::pass;
}

}  // namespace

Expected<ComplianceReport> evaluate_protocol(const Protocol& protocol, const CheckInputs& in) {
  if (!in.structures || !in.dose) return Error::bad_argument("evaluate_protocol", "structures and dose", "none");
  ComplianceReport report;
  report.protocol_id = protocol.id;
  report.protocol_name = protocol.name;
  report.protocol_version = protocol.version;
  report.protocol_source = protocol.source;
  report.protocol_fractions = protocol.fractions;
  report.plan_fractions = in.plan_fractions;

  auto convert = check_fractionation(protocol, in, report);
  if (!convert) return convert.error();
  const std::vector<RuleInUse> rules = rules_in_use(protocol, in, *convert, report);
  const auto matches = match_rules(rules, *in.structures);
  const Targets targets = target_prescriptions(protocol, in, rules, matches);
  auto indices = plan_indices(in, rules, targets, report);
  if (!indices) return indices.error();
  if (indices->plan_quality)
    for (const auto& t : indices->plan_quality->targets) indices->by_roi[t.roi_number] = &t;

  DvhCache dvhs(in);
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const StructureRule& rule = *rules[i].rule;
    const int reference = rules[i].reference_fractions;
    const RuleContext ctx{protocol, in, rule, reference,
                          *convert && in.plan_fractions && reference > 0 && reference != *in.plan_fractions,
                          rule.alpha_beta_gy.value_or(protocol.eqd2 ? protocol.eqd2->alpha_beta_gy : 3.0)};
    if (auto s = evaluate_rule(ctx, matches[i], targets, *indices, dvhs, report); !s) return s.error();
  }
  tally(report);
  return report;
}

}  // namespace sbrtkit
