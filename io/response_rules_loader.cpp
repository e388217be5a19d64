// Rules file of `sbrtkit response` (YAML): strict keys, errors naming file, line and key.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "io/yaml_reader.h"
#include "sbrtkit/io/response_rules_loader.h"

namespace sbrtkit {
namespace {

using detail::YamlFailure;
using detail::YamlReader;

/// The keys of one section, read into fields that keep their value when the key is absent. Every
/// value is checked at its node, so an error names the rules file, the key and its line.
class Section {
 public:
  Section(const YamlReader& reader, const YAML::Node& map, std::string name)
      : r_(reader), map_(map), name_(std::move(name)) {}

  void number(const std::string& key, double& v) const {
    if (const YAML::Node n = map_[key]) v = r_.number(n, path(key));
  }
  /// A number in [lo, hi] (lo excluded when lo_open).
  void number_in(const std::string& key, double& v, double lo, double hi, bool lo_open, const std::string& expected) const {
    if (const YAML::Node n = map_[key]) v = r_.number_in(n, path(key), lo, hi, lo_open, expected);
  }
  void integer(const std::string& key, int& v) const {
    if (const YAML::Node n = map_[key]) v = static_cast<int>(r_.integer(n, path(key), -1000000, 1000000));
  }
  void boolean(const std::string& key, bool& v) const {
    if (const YAML::Node n = map_[key]) v = r_.boolean(n, path(key));
  }
  std::optional<std::string> text(const std::string& key) const {
    if (const YAML::Node n = map_[key]) return r_.text(n, path(key));
    return std::nullopt;
  }
  std::string path(const std::string& key) const { return name_ + "." + key; }

 private:
  const YamlReader& r_;
  const YAML::Node map_;  // const: operator[] looks up, never inserts
  std::string name_;
};

/// The node behind "section.key", for an error found after the walk (validate_rules names keys so).
YAML::Node node_of(const YAML::Node& root, const std::string& dotted) {
  const auto dot = dotted.find('.');
  if (dot == std::string::npos) return YAML::Node();
  const YAML::Node section = root[dotted.substr(0, dot)];
  if (!section || !section.IsMap()) return YAML::Node();
  return section[dotted.substr(dot + 1)];
}

}  // namespace

Expected<ResponseRuleSet> load_response_rules(const std::filesystem::path& file, const ResponseRuleSet& defaults) {
  ResponseRules r = defaults.rules;
  ResponseSegmentation seg = defaults.segmentation;
  auto reader = YamlReader::open(file, "rules file");
  if (!reader) return reader.error();
  const YamlReader& rd = *reader;
  const YAML::Node& root = rd.root();
  try {
    if (root.IsNull()) return defaults;
    rd.only_keys(root, "",
                 {"version", "description", "matching", "treated", "change", "location", "patient", "ppp", "recip",
                  "segmentation"});
    if (auto m = root["matching"]) {
      rd.only_keys(m, "matching", {"min_overlap_pct", "max_distance_mm", "recurrence_leaves_ptv"});
      const Section matching(rd, m, "matching");
      double pct = 100 * r.min_overlap_fraction;
      matching.number("min_overlap_pct", pct);
      r.min_overlap_fraction = pct / 100;
      matching.number("max_distance_mm", r.max_match_distance_mm);
      matching.boolean("recurrence_leaves_ptv", r.recurrence_leaves_ptv);
    }
    if (auto m = root["treated"]) {
      rd.only_keys(m, "treated", {"volume_pct", "isodose_pct"});
      const Section treated(rd, m, "treated");
      treated.number("volume_pct", r.treated_volume_pct);
      treated.number("isodose_pct", r.treated_isodose_pct);
    }
    if (auto m = root["change"]) {
      rd.only_keys(m, "change",
                   {"metric", "percent", "absolute_suv", "tlg_progression_pct", "complete_response_background_percentile",
                    "complete_response_residual_contrast_pct"});
      const Section change(rd, m, "change");
      if (auto t = change.text("metric")) {
        if (*t == "suv_peak") r.metric = ChangeMetric::suv_peak;
        else if (*t == "suv_max") r.metric = ChangeMetric::suv_max;
        else rd.fail(m["metric"], "change.metric", "suv_peak or suv_max", *t);
      }
      change.number("percent", r.change_pct);
      change.number("absolute_suv", r.change_abs_suv);
      change.number("tlg_progression_pct", r.tlg_progression_pct);
      change.number("complete_response_background_percentile", r.complete_response_background_percentile);
      change.number("complete_response_residual_contrast_pct", r.complete_response_residual_contrast_pct);
    }
    if (auto m = root["location"]) {
      rd.only_keys(m, "location",
                   {"in_field_isodose_pct", "in_field_volume_pct", "marginal_isodose_pct", "marginal_distance_mm"});
      const Section location(rd, m, "location");
      location.number("in_field_isodose_pct", r.in_field_isodose_pct);
      location.number("in_field_volume_pct", r.in_field_volume_pct);
      location.number("marginal_isodose_pct", r.marginal_isodose_pct);
      location.number("marginal_distance_mm", r.marginal_distance_mm);
    }
    if (auto m = root["patient"]) {
      rd.only_keys(m, "patient", {"oligo_max_lesions"});
      const Section patient(rd, m, "patient");
      patient.integer("oligo_max_lesions", r.oligo_max_lesions);
    }
    if (auto m = root["ppp"]) {
      rd.only_keys(m, "ppp", {"new_lesions", "increase_pct"});
      const Section ppp(rd, m, "ppp");
      ppp.integer("new_lesions", r.ppp_new_lesions);
      ppp.number("increase_pct", r.ppp_increase_pct);
    }
    if (auto m = root["recip"]) {
      rd.only_keys(m, "recip", {"pr_pct", "pd_pct"});
      const Section recip(rd, m, "recip");
      recip.number("pr_pct", r.recip_pr_pct);
      recip.number("pd_pct", r.recip_pd_pct);
    }
    if (auto m = root["segmentation"]) {
      rd.only_keys(m, "segmentation",
                   {"mode", "percent", "local_background", "background_shell_mm", "seed_suv", "absolute_suv",
                    "min_volume_cc", "max_volume_cc", "exclude_rois", "exclude_margin_mm"});
      const Section segmentation(rd, m, "segmentation");
      if (auto t = segmentation.text("mode")) {
        if (*t == "percent") seg.options.mode = ThresholdMode::percent_of_max;
        else if (*t == "threshold") seg.options.mode = ThresholdMode::absolute;
        else rd.fail(m["mode"], "segmentation.mode", "percent or threshold", *t);
      }
      segmentation.number_in("percent", seg.options.percent, 0, 100, true, "a percentage in (0, 100]");
      segmentation.boolean("local_background", seg.options.local_background);
      if (auto shell = m["background_shell_mm"]) {
        if (!shell.IsSequence() || shell.size() != 2)
          rd.fail(shell, "segmentation.background_shell_mm", "[inner, outer] in mm", "not a pair");
        std::vector<double> v;
        for (const auto& x : shell) v.push_back(rd.number(x, "segmentation.background_shell_mm"));
        if (!(v[0] >= 0 && v[1] > v[0]))
          rd.fail(shell, "segmentation.background_shell_mm", "[inner, outer] with 0 <= inner < outer",
                  fmt::format("[{:g}, {:g}]", v[0], v[1]));
        seg.options.background_inner_mm = v[0];
        seg.options.background_outer_mm = v[1];
      }
      segmentation.number_in("seed_suv", seg.options.seed_suv, 0, 1e6, true, "an SUV > 0");
      segmentation.number("exclude_margin_mm", seg.exclude_margin_mm);
      if (m["exclude_margin_mm"] && !(seg.exclude_margin_mm >= 0))
        rd.fail(m["exclude_margin_mm"], "segmentation.exclude_margin_mm", "a margin >= 0 mm",
                fmt::format("{:g}", seg.exclude_margin_mm));
      segmentation.number_in("absolute_suv", seg.options.absolute_suv, 0, 1e6, true, "an SUV > 0");
      segmentation.number_in("min_volume_cc", seg.options.min_volume_cc, 0, 1e9, false, "a volume >= 0 cc");
      segmentation.number("max_volume_cc", seg.max_volume_cc);
      if (auto t = segmentation.text("exclude_rois")) seg.exclude_rois = *t;
    }
  } catch (const YamlFailure& f) {
    return f.error;
  } catch (const YAML::Exception& e) {
    return Error::bad_value(file.string(), "document", "a readable rules file", e.msg);
  }
  r.source = file.string();
  // The cross-checks of the rules name the key ("treated.volume_pct"); point at its line in this file.
  if (auto s = validate_rules(r); !s) {
    const Error& e = s.error();
    const YAML::Node at = node_of(root, e.tag);
    if (at) return rd.error_at(at, e.tag, e.expected, e.found);
    return Error::bad_value(file.string(), e.tag, e.expected, e.found);
  }
  return ResponseRuleSet{std::move(r), std::move(seg)};
}

}  // namespace sbrtkit
