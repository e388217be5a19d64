#include "sbrtkit/protocol.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <regex>
#include <set>

#include "sbrtkit/radiobiology.h"
#include "sbrtkit/structure_samples.h"

namespace sbrtkit {

std::optional<LimitScope> parse_limit_scope(std::string_view text) {
  if (text == "plan") return LimitScope::plan;
  if (text == "cumulative") return LimitScope::cumulative;
  if (text == "per_course") return LimitScope::per_course;
  if (text == "reirradiation_course") return LimitScope::reirradiation_course;
  return std::nullopt;
}

const char* to_string(LimitScope scope) {
  switch (scope) {
    case LimitScope::plan: return "plan";
    case LimitScope::cumulative: return "cumulative";
    case LimitScope::per_course: return "per_course";
    case LimitScope::reirradiation_course: return "reirradiation_course";
  }
  return "?";
}
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
  for (const auto& p : rule.patterns) {
    // Patterns are validated by the loader; an invalid one here simply does not match.
    try {
      if (std::regex_match(s.name, std::regex(p, std::regex::ECMAScript | std::regex::icase)))
        return "pattern '" + p + "'";
    } catch (const std::regex_error&) {
    }
  }
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

Expected<ComplianceReport> evaluate_protocol(const Protocol& protocol, const CheckInputs& in) {
  if (!in.structures || !in.dose) return Error::bad_argument("evaluate_protocol", "structures and dose", "none");
  ComplianceReport report;
  report.protocol_id = protocol.id;
  report.protocol_name = protocol.name;
  report.protocol_version = protocol.version;
  report.protocol_source = protocol.source;
  report.protocol_fractions = protocol.fractions;
  report.plan_fractions = in.plan_fractions;

  // Fractionation: the protocol's limits hold for its own fractions; otherwise convert to EQD2 when
  // the protocol says how, else refuse (comparing physical doses across fractionations is wrong).
  const auto& pf = protocol.fractions;
  bool convert = false;
  if (!in.plan_fractions) {
    report.warnings.push_back("the plan's number of fractions is unknown (no RTPLAN or NumberOfFractionsPlanned "
                              "empty): the protocol's fractionation is assumed");
  } else if (!pf.empty() && std::find(pf.begin(), pf.end(), *in.plan_fractions) == pf.end()) {
    if (!protocol.eqd2) {
      std::string list;
      for (int f : pf) list += (list.empty() ? "" : ", ") + std::to_string(f);
      return Error::inconsistent(protocol.file, "fractions",
                                 "protocol '" + protocol.id + "' applies to " + list + " fraction(s) and has no eqd2 "
                                 "section; the plan has " + std::to_string(*in.plan_fractions) +
                                 " (use a protocol for that fractionation, or --fractions)");
    }
    convert = true;
    report.eqd2_applied = protocol.eqd2;
    report.notes.push_back("the plan has " + std::to_string(*in.plan_fractions) + " fractions, the protocol's limits " +
                           "are for " + std::to_string(protocol.eqd2->reference_fractions) +
                           ": absolute-dose constraints are compared in EQD2, the plan's DVHs converted voxel by voxel");
  }

  // Rules: the protocol's own, then the organ limits for the plan's fractionation.
  std::vector<std::pair<const StructureRule*, int>> rules;  // rule, fractions its limits are written for
  const int own_reference = protocol.eqd2 ? protocol.eqd2->reference_fractions
                            : !pf.empty()  ? pf.front()
                                           : in.plan_fractions.value_or(0);
  for (const auto& r : protocol.structures) rules.emplace_back(&r, own_reference);
  if (!protocol.by_fractions.empty()) {
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
      for (const auto& r : variant->structures) rules.emplace_back(&r, variant->fractions);
    } else {
      report.warnings.push_back("no organ-limit protocol for " + std::to_string(wanted) + " fraction(s)");
    }
  }

  // Matching.
  std::vector<std::vector<Match>> matches(rules.size());
  for (std::size_t i = 0; i < rules.size(); ++i)
    for (const auto& s : in.structures->structures)
      if (auto how = match_rule(*rules[i].first, s)) matches[i].push_back({&s, *how});

  // Targets and their prescriptions.
  std::vector<QaTarget> targets;
  std::map<int, std::optional<double>> target_rx;
  std::set<int> seen;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].first->role != StructureRole::target) continue;
    for (const auto& m : matches[i]) {
      if (!seen.insert(m.structure->roi_number).second) continue;
      std::optional<double> rx;
      if (in.rx_overrides_targets) rx = in.plan_rx_gy;
      else if (auto it = in.target_rx_by_roi.find(m.structure->roi_number); it != in.target_rx_by_roi.end()) rx = it->second;
      else if (in.plan_rx_gy) rx = in.plan_rx_gy;
      else rx = protocol.prescription_gy;
      target_rx[m.structure->roi_number] = rx;
      if (rx) targets.push_back({m.structure, *rx});
    }
  }

  // Plan-quality indices, when any target constraint uses one.
  bool needs_indices = false;
  for (const auto& [rule, f] : rules)
    if (rule->role == StructureRole::target)
      for (const auto& c : rule->constraints) needs_indices |= c.index.has_value();
  std::map<int, const TargetQuality*> quality;
  std::string no_indices_reason;
  std::optional<PlanQuality> plan_quality;
  if (needs_indices && !targets.empty()) {
    const Structure* body = find_body(*in.structures);
    if (!body) {
      no_indices_reason = "no body structure (RT ROI Interpreted Type EXTERNAL, or named BODY / External)";
    } else {
      PlanQualityOptions options;
      options.engine = in.engine;
      auto q = compute_plan_quality(*body, targets, *in.dose, options);
      if (!q) return q.error();
      plan_quality = std::move(*q);
      for (const auto& t : plan_quality->targets) quality[t.roi_number] = &t;
      report.attribution = plan_quality->attribution;
      report.targets = plan_quality->targets;
      for (const auto& w : plan_quality->warnings) report.warnings.push_back(w);
    }
  }

  // DVHs, computed once per ROI (and per alpha/beta for EQD2).
  const DoseField field(*in.dose);
  std::map<int, Dvh> physical;
  std::map<std::pair<int, double>, Dvh> eqd2_dvhs;
  std::map<int, std::vector<std::string>> dvh_warnings;
  auto physical_dvh = [&](const Structure& s) -> Expected<const Dvh*> {
    auto it = physical.find(s.roi_number);
    if (it == physical.end()) {
      auto r = compute_dvh(s, field, in.engine);
      if (!r) return Error(r.error()).with_context("ROI " + std::to_string(s.roi_number) + " '" + s.name + "'");
      dvh_warnings[s.roi_number] = r->warnings;
      it = physical.emplace(s.roi_number, std::move(r->dvh)).first;
    }
    return &it->second;
  };
  auto eqd2_dvh = [&](const Structure& s, double ab) -> Expected<const Dvh*> {
    const auto key = std::make_pair(s.roi_number, ab);
    auto it = eqd2_dvhs.find(key);
    if (it == eqd2_dvhs.end()) {
      auto samples = sample_structure(s, *in.dose, in.engine);
      if (!samples) return samples.error();
      it = eqd2_dvhs.emplace(key, dvh_from_samples(*samples, in.engine.bin_width_gy, *in.plan_fractions, ab)).first;
    }
    return &it->second;
  };

  for (std::size_t i = 0; i < rules.size(); ++i) {
    const StructureRule& rule = *rules[i].first;
    const int reference_fractions = rules[i].second;
    const bool rule_converts = convert && in.plan_fractions && reference_fractions > 0 &&
                               reference_fractions != *in.plan_fractions;
    const double ab = rule.alpha_beta_gy.value_or(protocol.eqd2 ? protocol.eqd2->alpha_beta_gy : 3.0);
    auto base_row = [&](const Constraint& c) {
      ConstraintRow row;
      row.protocol_structure = rule.name;
      row.from = rule.from.empty() ? protocol.id : rule.from;
      row.role = rule.role == StructureRole::target ? "target" : "organ";
      row.required = rule.required;
      row.constraint = c.text;
      row.metric = c.metric_text;
      row.unit = c.metric ? unit_of(*c.metric) : unit_of(*c.index);
      row.comparison = to_string(c.comparison);
      row.limit = c.limit;
      row.minor_limit = c.minor_limit;
      row.unconfirmed = c.unconfirmed;
      return row;
    };
    if (matches[i].empty()) {
      if (rule.required) report.missing_required.push_back(rule.name);
      for (const auto& c : rule.constraints) {
        ConstraintRow row = base_row(c);
        row.reason = rule.required ? "required structure missing" : "structure missing (optional)";
        report.rows.push_back(std::move(row));
      }
      continue;
    }
    for (const auto& m : matches[i]) {
      const Structure& s = *m.structure;
      auto dvh = physical_dvh(s);
      if (!dvh) return dvh.error();
      for (const auto& c : rule.constraints) {
        ConstraintRow row = base_row(c);
        row.structure = s.name;
        row.roi_number = s.roi_number;
        row.matched_by = m.how;
        if (c.scope != LimitScope::plan) {  // a re-irradiation limit: judged over courses by `history`
          row.reason = std::string("a ") + to_string(c.scope) + " limit: evaluated by sbrtkit history";
          report.rows.push_back(std::move(row));
          continue;
        }
        std::vector<std::string> reasons;
        std::optional<double> rx;
        if (rule.role == StructureRole::target) {
          if (auto it = target_rx.find(s.roi_number); it != target_rx.end()) rx = it->second;
        } else {
          rx = in.plan_rx_gy ? in.plan_rx_gy : protocol.prescription_gy;
        }
        row.prescription_gy = rx;

        if (c.index) {
          if (rule.role != StructureRole::target) {
            row.reason = "plan-quality indices apply to targets only";
          } else if (!rx) {
            row.reason = "no prescription for this target (RTPLAN, --rx or the protocol)";
          } else if (!no_indices_reason.empty()) {
            row.reason = no_indices_reason;
          } else if (auto it = quality.find(s.roi_number); it != quality.end()) {
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
        } else {
          const Metric& metric = *c.metric;
          const bool convert_this = rule_converts && (absolute_dose_input(metric) || absolute_dose_output(metric));
          const Dvh* used = *dvh;
          std::optional<Metric> evaluated = metric;
          if (convert_this) {
            auto e = eqd2_dvh(s, ab);
            if (!e) return e.error();
            used = *e;
            row.eqd2 = true;
            const int n_ref = reference_fractions;
            auto to_eqd2 = [&](double gy) { return *eqd2_gy(gy, n_ref, ab); };
            std::string why = "EQD2 (a/b " + number(ab) + " Gy): plan " + std::to_string(*in.plan_fractions) +
                              " fx voxel by voxel";
            if (absolute_dose_input(metric)) {
              const double level_gy = metric.input_unit() == MetricInputUnit::cgy ? metric.input_value() / 100
                                                                                   : metric.input_value();
              const double level_eqd2 = to_eqd2(level_gy);
              const std::string text = metric.text();
              const std::string bracket = text.substr(text.find('['));
              const std::string prefix = metric.kind() == MetricKind::complement_volume ? "CV" : "V";
              char buffer[64];
              std::snprintf(buffer, sizeof buffer, "%s%.6gGy%s", prefix.c_str(), level_eqd2, bracket.c_str());
              auto reparsed = parse_metric(buffer);
              if (!reparsed) return reparsed.error();
              evaluated = *reparsed;
              why += "; dose level " + number(level_gy) + " Gy in " + std::to_string(n_ref) + " fx -> " +
                     number(level_eqd2) + " Gy EQD2";
            }
            if (absolute_dose_output(metric) && c.limit) {
              const double scale = metric.output_unit() == MetricOutputUnit::cgy ? 100.0 : 1.0;
              row.limit = scale * to_eqd2(*c.limit / scale);
              if (c.minor_limit) row.minor_limit = scale * to_eqd2(*c.minor_limit / scale);
              why += "; limit " + number(*c.limit) + " " + row.unit + " in " + std::to_string(n_ref) + " fx -> " +
                     number(*row.limit) + " " + row.unit + " EQD2";
            }
            reasons.push_back(why);
          }
          // A "no X cc above the limit" constraint on a structure smaller than X cc holds trivially.
          const bool upper = c.comparison == Comparison::less || c.comparison == Comparison::less_equal;
          if (metric.kind() == MetricKind::dose_at_volume && metric.input_unit() == MetricInputUnit::cc && upper &&
              used->outside_volume_cc() <= 0 && used->total_volume_cc() < metric.input_value()) {
            row.result = ComplianceLevel::pass;
            reasons.push_back("the structure (" + number(used->total_volume_cc()) + " cc) is smaller than " +
                              number(metric.input_value()) + " cc: no such volume can exceed the limit");
          } else {
            const MetricResult r = evaluate(*evaluated, *used, rx);
            row.value = r.value;
            if (!r.warning.empty()) reasons.push_back(r.warning);
          }
        }
        if (row.value && row.limit) row.result = grade(*row.value, c.comparison, *row.limit, row.minor_limit);
        if (!row.value && row.result != ComplianceLevel::pass) row.result = ComplianceLevel::not_evaluable;
        for (const auto& w : dvh_warnings[s.roi_number])
          if (w.find("outside the dose grid") != std::string::npos) reasons.push_back(w);
        if (!c.note.empty()) reasons.push_back(c.note);
        for (const auto& r : reasons) row.reason += (row.reason.empty() ? "" : "; ") + r;
        report.rows.push_back(std::move(row));
      }
    }
  }

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
  return report;
}

}  // namespace sbrtkit
