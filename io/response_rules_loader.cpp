// Rules file of `sbrtkit response` (YAML): strict keys, errors naming file, line and key.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <set>

#include "sbrtkit/io/response_rules_loader.h"

namespace sbrtkit {
namespace {

struct LoadFailure {
  Error error;
};

class RulesReader {
 public:
  explicit RulesReader(std::filesystem::path file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& expected,
                         const std::string& found) const {
    const YAML::Mark m = node.Mark();
    std::string where = m.line >= 0 ? "line " + std::to_string(m.line + 1) : std::string("document");
    if (!key.empty()) where += " (" + key + ")";
    throw LoadFailure{Error::bad_value(file_.string(), where, expected, found)};
  }
  void only_keys(const YAML::Node& map, const std::string& what, const std::set<std::string>& allowed) const {
    if (!map.IsMap()) fail(map, what, "a mapping of keys", "something else");
    for (const auto& kv : map) {
      const auto key = kv.first.as<std::string>();
      if (!allowed.count(key)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(kv.first, what + "." + key, "one of " + list, key);
      }
    }
  }
  void number(const YAML::Node& map, const std::string& section, const std::string& key, double& v) const {
    if (!map[key]) return;
    const YAML::Node n = map[key];
    try {
      v = n.as<double>();
    } catch (const YAML::Exception&) {
      fail(n, section + "." + key, "a number", n.IsScalar() ? n.Scalar() : "a non-scalar");
    }
  }
  void integer(const YAML::Node& map, const std::string& section, const std::string& key, int& v) const {
    if (!map[key]) return;
    const YAML::Node n = map[key];
    try {
      v = n.as<int>();
    } catch (const YAML::Exception&) {
      fail(n, section + "." + key, "an integer", n.IsScalar() ? n.Scalar() : "a non-scalar");
    }
  }
  void boolean(const YAML::Node& map, const std::string& section, const std::string& key, bool& v) const {
    if (!map[key]) return;
    const YAML::Node n = map[key];
    try {
      v = n.as<bool>();
    } catch (const YAML::Exception&) {
      fail(n, section + "." + key, "true or false", n.IsScalar() ? n.Scalar() : "a non-scalar");
    }
  }
  std::optional<std::string> text(const YAML::Node& map, const std::string& section, const std::string& key) const {
    if (!map[key]) return std::nullopt;
    const YAML::Node n = map[key];
    if (!n.IsScalar()) fail(n, section + "." + key, "a string", "a non-scalar");
    return n.Scalar();
  }

 private:
  std::filesystem::path file_;
};

}  // namespace

Expected<ResponseRuleSet> load_response_rules(const std::filesystem::path& file, const ResponseRuleSet& defaults) {
  ResponseRules r = defaults.rules;
  ResponseSegmentation seg = defaults.segmentation;
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    return Error::io(file.string(), "cannot read the rules file");
  } catch (const YAML::Exception& e) {
    return Error::bad_value(file.string(), "line " + std::to_string(e.mark.line + 1), "valid YAML", e.msg);
  }
  RulesReader rd(file);
  try {
    if (root.IsNull()) return defaults;
    rd.only_keys(root, "rules",
                 {"version", "description", "matching", "treated", "change", "location", "patient", "ppp", "recip",
                  "segmentation"});
    if (auto m = root["matching"]) {
      rd.only_keys(m, "matching", {"min_overlap_pct", "max_distance_mm", "recurrence_leaves_ptv"});
      double pct = 100 * r.min_overlap_fraction;
      rd.number(m, "matching", "min_overlap_pct", pct);
      r.min_overlap_fraction = pct / 100;
      rd.number(m, "matching", "max_distance_mm", r.max_match_distance_mm);
      rd.boolean(m, "matching", "recurrence_leaves_ptv", r.recurrence_leaves_ptv);
    }
    if (auto m = root["treated"]) {
      rd.only_keys(m, "treated", {"volume_pct", "isodose_pct"});
      rd.number(m, "treated", "volume_pct", r.treated_volume_pct);
      rd.number(m, "treated", "isodose_pct", r.treated_isodose_pct);
    }
    if (auto m = root["change"]) {
      rd.only_keys(m, "change",
                   {"metric", "percent", "absolute_suv", "tlg_progression_pct", "complete_response_background_percentile",
                    "complete_response_residual_contrast_pct"});
      if (auto t = rd.text(m, "change", "metric")) {
        if (*t == "suv_peak") r.metric = ChangeMetric::suv_peak;
        else if (*t == "suv_max") r.metric = ChangeMetric::suv_max;
        else rd.fail(m["metric"], "change.metric", "suv_peak or suv_max", *t);
      }
      rd.number(m, "change", "percent", r.change_pct);
      rd.number(m, "change", "absolute_suv", r.change_abs_suv);
      rd.number(m, "change", "tlg_progression_pct", r.tlg_progression_pct);
      rd.number(m, "change", "complete_response_background_percentile", r.complete_response_background_percentile);
      rd.number(m, "change", "complete_response_residual_contrast_pct", r.complete_response_residual_contrast_pct);
    }
    if (auto m = root["location"]) {
      rd.only_keys(m, "location",
                   {"in_field_isodose_pct", "in_field_volume_pct", "marginal_isodose_pct", "marginal_distance_mm"});
      rd.number(m, "location", "in_field_isodose_pct", r.in_field_isodose_pct);
      rd.number(m, "location", "in_field_volume_pct", r.in_field_volume_pct);
      rd.number(m, "location", "marginal_isodose_pct", r.marginal_isodose_pct);
      rd.number(m, "location", "marginal_distance_mm", r.marginal_distance_mm);
    }
    if (auto m = root["patient"]) {
      rd.only_keys(m, "patient", {"oligo_max_lesions"});
      rd.integer(m, "patient", "oligo_max_lesions", r.oligo_max_lesions);
    }
    if (auto m = root["ppp"]) {
      rd.only_keys(m, "ppp", {"new_lesions", "increase_pct"});
      rd.integer(m, "ppp", "new_lesions", r.ppp_new_lesions);
      rd.number(m, "ppp", "increase_pct", r.ppp_increase_pct);
    }
    if (auto m = root["recip"]) {
      rd.only_keys(m, "recip", {"pr_pct", "pd_pct"});
      rd.number(m, "recip", "pr_pct", r.recip_pr_pct);
      rd.number(m, "recip", "pd_pct", r.recip_pd_pct);
    }
    if (auto m = root["segmentation"]) {
      rd.only_keys(m, "segmentation",
                   {"mode", "percent", "local_background", "background_shell_mm", "seed_suv", "absolute_suv",
                    "min_volume_cc", "max_volume_cc", "exclude_rois", "exclude_margin_mm"});
      if (auto t = rd.text(m, "segmentation", "mode")) {
        if (*t == "percent") seg.options.mode = ThresholdMode::percent_of_max;
        else if (*t == "threshold") seg.options.mode = ThresholdMode::absolute;
        else rd.fail(m["mode"], "segmentation.mode", "percent or threshold", *t);
      }
      rd.number(m, "segmentation", "percent", seg.options.percent);
      rd.boolean(m, "segmentation", "local_background", seg.options.local_background);
      if (auto shell = m["background_shell_mm"]) {
        if (!shell.IsSequence() || shell.size() != 2)
          rd.fail(shell, "segmentation.background_shell_mm", "[inner, outer] in mm", "not a pair");
        std::vector<double> v;
        for (const auto& x : shell) {
          try {
            v.push_back(x.as<double>());
          } catch (const YAML::Exception&) {
            rd.fail(x, "segmentation.background_shell_mm", "a number in mm", x.Scalar());
          }
        }
        if (!(v[0] >= 0 && v[1] > v[0]))
          rd.fail(shell, "segmentation.background_shell_mm", "[inner, outer] with 0 <= inner < outer",
                  fmt::format("[{:g}, {:g}]", v[0], v[1]));
        seg.options.background_inner_mm = v[0];
        seg.options.background_outer_mm = v[1];
      }
      rd.number(m, "segmentation", "seed_suv", seg.options.seed_suv);
      rd.number(m, "segmentation", "exclude_margin_mm", seg.exclude_margin_mm);
      if (m["exclude_margin_mm"] && !(seg.exclude_margin_mm >= 0))
        rd.fail(m["exclude_margin_mm"], "segmentation.exclude_margin_mm", "a margin >= 0 mm",
                fmt::format("{:g}", seg.exclude_margin_mm));
      rd.number(m, "segmentation", "absolute_suv", seg.options.absolute_suv);
      rd.number(m, "segmentation", "min_volume_cc", seg.options.min_volume_cc);
      rd.number(m, "segmentation", "max_volume_cc", seg.max_volume_cc);
      if (auto t = rd.text(m, "segmentation", "exclude_rois")) seg.exclude_rois = *t;
    }
  } catch (const LoadFailure& f) {
    return f.error;
  }
  r.source = file.string();
  if (auto s = validate_rules(r); !s) return s.error().with_context(file.string());
  return ResponseRuleSet{std::move(r), std::move(seg)};
}

}  // namespace sbrtkit
