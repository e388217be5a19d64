#include "sbrtkit/io/protocol_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace sbrtkit {
namespace {

/// Thrown inside the loader only; load_protocol_file turns it into an Error.
struct LoadFailure {
  Error error;
};

class Reader {
 public:
  explicit Reader(std::filesystem::path file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& expected,
                         const std::string& found) const {
    const YAML::Mark m = node.Mark();
    std::string where = m.line >= 0 ? "line " + std::to_string(m.line + 1) + ", column " + std::to_string(m.column + 1)
                                    : std::string("document");
    if (!key.empty()) where += " (" + key + ")";
    throw LoadFailure{Error::bad_value(file_.string(), where, expected, found)};
  }

  int line(const YAML::Node& node) const { return node.Mark().line + 1; }

  void only_keys(const YAML::Node& map, const std::string& what, const std::set<std::string>& allowed) const {
    if (!map.IsMap()) fail(map, what, "a mapping of keys", describe(map));
    for (const auto& kv : map) {
      const std::string key = kv.first.as<std::string>();
      if (!allowed.count(key)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(kv.first, what, "one of the keys " + list, "unknown key '" + key + "'");
      }
    }
  }

  std::string text(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) fail(node, key, "text", describe(node));
    return node.Scalar();
  }

  double number(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) fail(node, key, "a number", describe(node));
    const std::string s = node.Scalar();
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || errno != 0 || !std::isfinite(v))
      fail(node, key, "a number", "'" + s + "'");
    return v;
  }

  int integer(const YAML::Node& node, const std::string& key) const {
    const double v = number(node, key);
    if (v != std::floor(v) || v < 1 || v > 1000) fail(node, key, "a positive whole number", "'" + node.Scalar() + "'");
    return int(v);
  }

  bool boolean(const YAML::Node& node, const std::string& key) const {
    const std::string s = text(node, key);
    if (s == "true" || s == "yes") return true;
    if (s == "false" || s == "no") return false;
    fail(node, key, "true or false", "'" + s + "'");
  }

  std::vector<std::string> texts(const YAML::Node& node, const std::string& key) const {
    std::vector<std::string> out;
    if (node.IsScalar()) return {node.Scalar()};
    if (!node.IsSequence()) fail(node, key, "a list of text", describe(node));
    for (const auto& item : node) out.push_back(text(item, key));
    return out;
  }

  std::vector<double> numbers(const YAML::Node& node, const std::string& key) const {
    if (!node.IsSequence()) fail(node, key, "a list of numbers", describe(node));
    std::vector<double> out;
    for (const auto& item : node) out.push_back(number(item, key));
    return out;
  }

  static std::string describe(const YAML::Node& node) {
    if (node.IsMap()) return "a mapping";
    if (node.IsSequence()) return "a list";
    if (node.IsNull()) return "nothing";
    return "'" + node.Scalar() + "'";
  }

  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
};

/// Keys of re-irradiation limits (`sbrtkit history`): scope, EQD2 a/b, relative_to, source.
void read_reirradiation_keys(const Reader& r, const YAML::Node& node, Constraint& c) {
  if (!node.IsMap()) return;
  if (node["scope"]) {
    const std::string text = r.text(node["scope"], "scope");
    auto scope = parse_limit_scope(text);
    if (!scope) r.fail(node["scope"], "scope", "plan, cumulative, per_course or reirradiation_course", "'" + text + "'");
    c.scope = *scope;
  }
  if (node["eqd2_alpha_beta_gy"]) {
    c.eqd2_alpha_beta_gy = r.number(node["eqd2_alpha_beta_gy"], "eqd2_alpha_beta_gy");
    if (!(*c.eqd2_alpha_beta_gy > 0))
      r.fail(node["eqd2_alpha_beta_gy"], "eqd2_alpha_beta_gy", "a positive a/b in Gy", node["eqd2_alpha_beta_gy"].Scalar());
  }
  if (node["relative_to"]) {
    const std::string text = r.text(node["relative_to"], "relative_to");
    if (text != "cumulative") r.fail(node["relative_to"], "relative_to", "cumulative", "'" + text + "'");
    if (c.scope != LimitScope::per_course && c.scope != LimitScope::reirradiation_course)
      r.fail(node["relative_to"], "relative_to", "a per_course or reirradiation_course scope", to_string(c.scope));
    c.relative_to_cumulative = true;
  }
  if (node["source"]) c.source = r.text(node["source"], "source");
}

Constraint read_constraint(const Reader& r, const YAML::Node& node, StructureRole role) {
  Constraint c;
  // Short form: the constraint text alone; long form: a mapping with `constraint` and options.
  const bool short_form = node.IsScalar();
  if (!short_form) {
    r.only_keys(node, "constraint", {"constraint", "minor_limit", "table", "unconfirmed", "note", "scope",
                                     "eqd2_alpha_beta_gy", "relative_to", "source"});
    if (!node["constraint"]) r.fail(node, "constraint", "a 'constraint' key such as \"D0.35cc[Gy] < 18\"", "none");
  }
  auto has = [&](const char* key) { return !short_form && node[key]; };
  const YAML::Node text_node = short_form ? node : node["constraint"];
  c.text = r.text(text_node, "constraint");
  c.line = r.line(text_node);
  static const std::regex form(R"(^\s*(\S+)\s*(<=|>=|<|>)\s*(\S+)\s*$)");
  std::smatch m;
  if (!std::regex_match(c.text, m, form))
    r.fail(text_node, "constraint", "'<metric> <comparison> <limit>', e.g. \"D0.35cc[Gy] < 18\"", "'" + c.text + "'");
  c.metric_text = m[1];
  c.comparison = *parse_comparison(m[2].str());
  if (auto index = parse_plan_index(c.metric_text)) {
    if (role != StructureRole::target)
      r.fail(text_node, "constraint", "a TG-263 metric (plan-quality indices apply to targets only)",
             "'" + c.metric_text + "'");
    c.index = index;
  } else {
    auto metric = parse_metric(c.metric_text);
    if (!metric)
      r.fail(text_node, "constraint",
             "a TG-263 metric (D95%[Gy], V20Gy[cc], Max[Gy], ...) or an index (CI, PaddickCI, GI, R50%, D2cm[%], HI, "
             "NearMax[Gy], NearMax[%])",
             "'" + c.metric_text + "': " + metric.error().message());
    c.metric = *metric;
  }
  const std::string limit_text = m[3];
  if (limit_text == "table") {
    if (!has("table")) r.fail(text_node, "constraint", "a 'table' key for the limit 'table'", "none");
    const YAML::Node t = node["table"];
    r.only_keys(t, "table", {"ptv_cc", "limit", "minor_limit"});
    LimitTable table;
    if (!t["ptv_cc"] || !t["limit"]) r.fail(t, "table", "ptv_cc and limit lists", "a table without them");
    table.ptv_cc = r.numbers(t["ptv_cc"], "ptv_cc");
    table.limit = r.numbers(t["limit"], "limit");
    if (t["minor_limit"]) table.minor_limit = r.numbers(t["minor_limit"], "minor_limit");
    if (table.ptv_cc.empty() || table.limit.size() != table.ptv_cc.size() ||
        (!table.minor_limit.empty() && table.minor_limit.size() != table.ptv_cc.size()))
      r.fail(t, "table", "lists of equal, non-zero length", "lengths " + std::to_string(table.ptv_cc.size()) + ", " +
                                                                 std::to_string(table.limit.size()) + ", " +
                                                                 std::to_string(table.minor_limit.size()));
    if (!std::is_sorted(table.ptv_cc.begin(), table.ptv_cc.end()) ||
        std::adjacent_find(table.ptv_cc.begin(), table.ptv_cc.end()) != table.ptv_cc.end())
      r.fail(t["ptv_cc"], "ptv_cc", "strictly increasing volumes", "an unsorted list");
    if (!c.index) r.fail(text_node, "constraint", "a plan-quality index for a PTV-volume table", "'" + c.metric_text + "'");
    c.table = std::move(table);
  } else {
    if (has("table")) r.fail(node["table"], "table", "no table unless the limit is 'table'", "a table");
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(limit_text.c_str(), &end);
    if (end != limit_text.c_str() + limit_text.size() || errno != 0 || !std::isfinite(v))
      r.fail(text_node, "constraint", "a number (or 'table') as the limit", "'" + limit_text + "'");
    c.limit = v;
  }
  if (has("minor_limit")) {
    if (c.table) r.fail(node["minor_limit"], "minor_limit", "the minor limit inside the table", "a single number");
    c.minor_limit = r.number(node["minor_limit"], "minor_limit");
    // The minor band lies beyond the limit, in the direction of failure.
    const bool upper = c.comparison == Comparison::less || c.comparison == Comparison::less_equal;
    if (upper ? *c.minor_limit < *c.limit : *c.minor_limit > *c.limit)
      r.fail(node["minor_limit"], "minor_limit",
             std::string("a minor limit ") + (upper ? ">= " : "<= ") + "the limit in '" + c.text + "'",
             node["minor_limit"].Scalar());
  }
  if (has("unconfirmed")) c.unconfirmed = r.boolean(node["unconfirmed"], "unconfirmed");
  if (has("note")) c.note = r.text(node["note"], "note");
  read_reirradiation_keys(r, node, c);
  return c;
}

StructureRule read_rule(const Reader& r, const YAML::Node& node) {
  r.only_keys(node, "structure",
              {"name", "aliases", "patterns", "interpreted_types", "role", "required", "alpha_beta_gy", "constraints",
               "note"});
  StructureRule rule;
  rule.line = r.line(node);
  if (!node["name"]) r.fail(node, "structure", "a 'name' (TG-263)", "none");
  rule.name = r.text(node["name"], "name");
  if (node["aliases"]) rule.aliases = r.texts(node["aliases"], "aliases");
  if (node["patterns"]) {
    rule.patterns = r.texts(node["patterns"], "patterns");
    for (const auto& p : rule.patterns) {
      try {
        std::regex(p, std::regex::ECMAScript | std::regex::icase);
      } catch (const std::regex_error& e) {
        r.fail(node["patterns"], "patterns", "valid regular expressions (ECMAScript)", "'" + p + "': " + e.what());
      }
    }
  }
  if (node["interpreted_types"]) rule.interpreted_types = r.texts(node["interpreted_types"], "interpreted_types");
  if (node["role"]) {
    const std::string role = r.text(node["role"], "role");
    if (role == "target") rule.role = StructureRole::target;
    else if (role == "organ") rule.role = StructureRole::organ;
    else r.fail(node["role"], "role", "target or organ", "'" + role + "'");
  }
  if (node["required"]) rule.required = r.boolean(node["required"], "required");
  if (node["alpha_beta_gy"]) {
    rule.alpha_beta_gy = r.number(node["alpha_beta_gy"], "alpha_beta_gy");
    if (*rule.alpha_beta_gy <= 0) r.fail(node["alpha_beta_gy"], "alpha_beta_gy", "a positive a/b in Gy", node["alpha_beta_gy"].Scalar());
  }
  if (!node["constraints"] || !node["constraints"].IsSequence())
    r.fail(node, "constraints", "a list of constraints for '" + rule.name + "'", "none");
  for (const auto& c : node["constraints"]) rule.constraints.push_back(read_constraint(r, c, rule.role));
  return rule;
}

/// Where the bundled protocols are looked for, first found wins: SBRTKIT_PROTOCOLS, then next to the
/// running binary (<prefix>/bin/sbrtkit -> <prefix>/share/sbrtkit/protocols: an installed or relocated
/// copy reads its own protocols, never the build tree's), then the source tree the binary was built from.
std::vector<std::filesystem::path> candidate_dirs() {
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("SBRTKIT_PROTOCOLS"); env && *env) dirs.emplace_back(env);
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path().parent_path() / "share" / "sbrtkit" / "protocols");
#ifdef SBRTKIT_PROTOCOLS_DIR
  dirs.emplace_back(SBRTKIT_PROTOCOLS_DIR);
#endif
  return dirs;
}

Expected<Protocol> load(const std::filesystem::path& file, int depth);

Protocol parse(const Reader& r, const YAML::Node& root, int depth) {
  r.only_keys(root, "protocol file",
              {"protocol", "name", "version", "source", "description", "fractions", "prescription", "eqd2",
               "organ_limits", "notes", "structures", "min_interval_between_courses"});
  Protocol p;
  p.file = r.file().string();
  for (const char* key : {"protocol", "name", "version", "source"})
    if (!root[key]) r.fail(root, key, std::string("a '") + key + "' key", "none");
  p.id = r.text(root["protocol"], "protocol");
  p.name = r.text(root["name"], "name");
  p.version = r.text(root["version"], "version");
  p.source = r.text(root["source"], "source");
  if (root["description"]) p.description = r.text(root["description"], "description");
  if (root["fractions"]) {
    const YAML::Node f = root["fractions"];
    if (f.IsScalar()) p.fractions.push_back(r.integer(f, "fractions"));
    else if (f.IsSequence()) for (const auto& item : f) p.fractions.push_back(r.integer(item, "fractions"));
    else r.fail(f, "fractions", "a number or a list of numbers", Reader::describe(f));
  }
  if (root["prescription"]) {
    const YAML::Node rx = root["prescription"];
    r.only_keys(rx, "prescription", {"dose_gy", "fractions"});
    if (rx["dose_gy"]) {
      p.prescription_gy = r.number(rx["dose_gy"], "dose_gy");
      if (*p.prescription_gy <= 0) r.fail(rx["dose_gy"], "dose_gy", "a positive dose in Gy", rx["dose_gy"].Scalar());
    }
    if (rx["fractions"]) p.prescription_fractions = r.integer(rx["fractions"], "fractions");
  }
  if (root["eqd2"]) {
    const YAML::Node e = root["eqd2"];
    r.only_keys(e, "eqd2", {"alpha_beta_gy", "reference_fractions"});
    Eqd2Conversion conversion;
    if (!e["alpha_beta_gy"]) r.fail(e, "eqd2", "alpha_beta_gy", "none");
    conversion.alpha_beta_gy = r.number(e["alpha_beta_gy"], "alpha_beta_gy");
    if (conversion.alpha_beta_gy <= 0) r.fail(e["alpha_beta_gy"], "alpha_beta_gy", "a positive a/b in Gy", e["alpha_beta_gy"].Scalar());
    if (e["reference_fractions"]) conversion.reference_fractions = r.integer(e["reference_fractions"], "reference_fractions");
    else if (p.fractions.size() == 1) conversion.reference_fractions = p.fractions.front();
    else r.fail(e, "eqd2", "reference_fractions (the protocol lists several fractionations)", "none");
    p.eqd2 = conversion;
  }
  if (root["notes"]) p.notes = r.texts(root["notes"], "notes");
  if (root["min_interval_between_courses"]) {
    const YAML::Node n = root["min_interval_between_courses"];
    r.only_keys(n, "min_interval_between_courses", {"months", "source", "note"});
    if (!n["months"]) r.fail(n, "min_interval_between_courses", "months", "none");
    CourseInterval interval;
    interval.months = r.integer(n["months"], "months");
    if (n["source"]) interval.source = r.text(n["source"], "source");
    if (n["note"]) interval.note = r.text(n["note"], "note");
    interval.line = n.Mark().line + 1;
    p.min_course_interval = interval;
  }
  if (root["structures"]) {
    if (!root["structures"].IsSequence()) r.fail(root["structures"], "structures", "a list", Reader::describe(root["structures"]));
    for (const auto& s : root["structures"]) p.structures.push_back(read_rule(r, s));
  }
  if (root["organ_limits"]) {
    const YAML::Node limits = root["organ_limits"];
    if (!limits.IsMap()) r.fail(limits, "organ_limits", "a mapping fractions: protocol", Reader::describe(limits));
    if (depth > 0) r.fail(limits, "organ_limits", "no nested organ_limits (one level of inclusion)", "organ_limits");
    for (const auto& kv : limits) {
      FractionVariant v;
      v.fractions = r.integer(kv.first, "organ_limits");
      const std::string name = r.text(kv.second, "organ_limits");
      std::filesystem::path file = r.file().parent_path() / name;
      if (file.extension() != ".yaml") file += ".yaml";
      auto included = load(file, depth + 1);
      if (!included) {
        auto bundled = load_protocol(name);
        if (!bundled) r.fail(kv.second, "organ_limits", "a protocol next to this file or bundled", "'" + name + "'");
        included = std::move(bundled);
      }
      v.protocol_id = included->id;
      v.structures = included->structures;
      for (auto& rule : v.structures) rule.from = included->id;
      p.by_fractions.push_back(std::move(v));
    }
  }
  if (p.structures.empty() && p.by_fractions.empty()) r.fail(root, "structures", "at least one structure", "none");
  return p;
}

Expected<Protocol> load(const std::filesystem::path& file, int depth) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::io(file.string(), "cannot open the protocol file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const Reader reader(file);
  try {
    const YAML::Node root = YAML::Load(buffer.str());
    if (!root.IsMap()) return Error::bad_value(file.string(), "document", "a YAML mapping (protocol: ..., name: ...)",
                                               Reader::describe(root));
    return parse(reader, root, depth);
  } catch (const LoadFailure& f) {
    return f.error;
  } catch (const YAML::Exception& e) {
    std::string where = "line " + std::to_string(e.mark.line + 1) + ", column " + std::to_string(e.mark.column + 1);
    return Error::bad_value(file.string(), where, "valid YAML", e.msg);
  }
}

}  // namespace

Expected<Protocol> load_protocol_file(const std::filesystem::path& file) { return load(file, 0); }

Expected<std::filesystem::path> bundled_protocols_dir() {
  std::string tried;
  for (const auto& d : candidate_dirs()) {
    std::error_code ec;
    if (std::filesystem::is_directory(d, ec)) return d;
    tried += (tried.empty() ? "" : ", ") + d.string();
  }
  return Error::io(tried, "no bundled protocol directory found (set SBRTKIT_PROTOCOLS)");
}

Expected<Protocol> load_protocol(const std::string& name_or_file) {
  const std::filesystem::path as_path(name_or_file);
  std::error_code ec;
  if (std::filesystem::is_regular_file(as_path, ec)) return load_protocol_file(as_path);
  auto dir = bundled_protocols_dir();
  if (!dir) return dir.error();
  std::filesystem::path file = *dir / name_or_file;
  if (file.extension() != ".yaml") file += ".yaml";
  if (!std::filesystem::is_regular_file(file, ec)) {
    std::string names;
    if (auto listing = list_bundled_protocols())
      for (const auto& p : listing->protocols) names += (names.empty() ? "" : ", ") + p.id;
    return Error::bad_argument("--protocol", "a protocol file or a bundled protocol (" + names + ")",
                               "'" + name_or_file + "'");
  }
  return load_protocol_file(file);
}

Expected<ProtocolListing> list_bundled_protocols() {
  auto dir = bundled_protocols_dir();
  if (!dir) return dir.error();
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(*dir))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  ProtocolListing out;
  for (const auto& f : files) {
    auto p = load_protocol_file(f);
    if (p) out.protocols.push_back(std::move(*p));
    else out.broken.push_back(p.error());
  }
  return out;
}

}  // namespace sbrtkit
