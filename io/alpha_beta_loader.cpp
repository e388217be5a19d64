// The alpha/beta rules file of `sbrtkit history`. See include/sbrtkit/io/alpha_beta_loader.h.
#include "sbrtkit/io/alpha_beta_loader.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <set>

namespace sbrtkit {
namespace {

struct LoadFailure {
  Error error;
};

class Reader {
 public:
  explicit Reader(std::filesystem::path file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& expected,
                         const std::string& found) const {
    const YAML::Mark m = node.Mark();
    std::string where = m.line >= 0 ? "line " + std::to_string(m.line + 1) : std::string("document");
    if (!key.empty()) where += " (" + key + ")";
    throw LoadFailure{Error::bad_value(file_.string(), where, expected, found)};
  }
  void only_keys(const YAML::Node& map, const std::string& what, const std::set<std::string>& allowed) const {
    if (!map.IsMap()) fail(map, what, "a mapping of keys", describe(map));
    for (const auto& kv : map) {
      const auto key = kv.first.as<std::string>();
      if (!allowed.count(key)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(kv.first, what, "one of the keys " + list, "unknown key '" + key + "'");
      }
    }
  }
  double number(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(n, key, "a number", describe(n));
    try {
      std::size_t used = 0;
      const double v = std::stod(n.Scalar(), &used);
      if (used == n.Scalar().size() && std::isfinite(v)) return v;
    } catch (const std::exception&) {
    }
    fail(n, key, "a number", "'" + n.Scalar() + "'");
  }
  std::string text(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(n, key, "text", describe(n));
    return n.Scalar();
  }
  std::vector<std::string> texts(const YAML::Node& n, const std::string& key) const {
    if (!n.IsSequence() || n.size() == 0) fail(n, key, "a non-empty list of name patterns", describe(n));
    std::vector<std::string> out;
    for (const auto& item : n) out.push_back(text(item, key));
    return out;
  }
  static std::string describe(const YAML::Node& n) {
    if (n.IsMap()) return "a mapping";
    if (n.IsSequence()) return "a list";
    if (n.IsNull()) return "nothing";
    return "'" + n.Scalar() + "'";
  }
  int line(const YAML::Node& n) const { return n.Mark().line + 1; }

 private:
  std::filesystem::path file_;
};

AlphaBetaEntry read_entry(const Reader& r, const YAML::Node& n) {
  r.only_keys(n, "entries[]", {"names", "category", "alpha_beta_gy", "source"});
  AlphaBetaEntry e;
  if (n["names"]) e.name_patterns = r.texts(n["names"], "names");
  if (n["category"]) {
    const std::string c = r.text(n["category"], "category");
    if (c == "target") e.category = TissueCategory::target;
    else if (c == "organ") e.category = TissueCategory::organ;
    else r.fail(n["category"], "category", "target or organ", "unknown category '" + c + "'");
  }
  if (e.name_patterns.empty() == !e.category.has_value())
    r.fail(n, "entries[]", "either 'names' or 'category'", e.category ? "both" : "neither");
  if (!n["alpha_beta_gy"]) r.fail(n, "alpha_beta_gy", "an a/b in Gy", "none");
  e.alpha_beta_gy = r.number(n["alpha_beta_gy"], "alpha_beta_gy");
  if (!(e.alpha_beta_gy > 0)) r.fail(n["alpha_beta_gy"], "alpha_beta_gy", "a positive a/b in Gy", n["alpha_beta_gy"].Scalar());
  if (!n["source"]) r.fail(n, "source", "a source for the value", "none");
  e.source = r.text(n["source"], "source");
  return e;
}

RecoveryRule read_recovery(const Reader& r, const YAML::Node& n) {
  r.only_keys(n, "recovery[]", {"names", "fraction", "source"});
  RecoveryRule rule;
  rule.line = r.line(n);
  if (!n["names"]) r.fail(n, "names", "name patterns of the structures that recover", "none");
  rule.name_patterns = r.texts(n["names"], "names");
  if (!n["fraction"]) r.fail(n, "fraction", "a recovered fraction in [0, 1]", "none");
  rule.fraction = r.number(n["fraction"], "fraction");
  if (!(rule.fraction >= 0 && rule.fraction <= 1))
    r.fail(n["fraction"], "fraction", "a recovered fraction in [0, 1]", n["fraction"].Scalar());
  if (!n["source"]) r.fail(n, "source", "the source of the recovery fraction", "none");
  rule.source = r.text(n["source"], "source");
  return rule;
}

}  // namespace

Expected<AlphaBetaRules> load_alpha_beta_rules(const std::filesystem::path& file) {
  const Reader r(file);
  AlphaBetaRules out;
  out.table.entries.clear();
  out.table.origin = file.string();
  try {
    YAML::Node root;
    try {
      root = YAML::LoadFile(file.string());
    } catch (const YAML::BadFile&) {
      return Error::io(file.string(), "cannot open the alpha/beta file");
    } catch (const YAML::ParserException& e) {
      return Error::bad_value(file.string(), "line " + std::to_string(e.mark.line + 1), "valid YAML", e.msg);
    }
    r.only_keys(root, "alpha/beta file", {"version", "description", "entries", "elsewhere", "recovery"});
    if (!root["version"] || r.text(root["version"], "version") != "1")
      r.fail(root["version"] ? root["version"] : root, "version", "version: 1",
             root["version"] ? Reader::describe(root["version"]) : "none");
    if (!root["entries"] || !root["entries"].IsSequence()) r.fail(root, "entries", "a list of a/b entries", "none");
    for (const auto& e : root["entries"]) out.table.entries.push_back(read_entry(r, e));
    if (!root["elsewhere"]) r.fail(root, "elsewhere", "the a/b of voxels in no structure", "none");
    const YAML::Node el = root["elsewhere"];
    r.only_keys(el, "elsewhere", {"alpha_beta_gy", "source"});
    if (!el["alpha_beta_gy"]) r.fail(el, "elsewhere.alpha_beta_gy", "an a/b in Gy", "none");
    out.table.elsewhere_gy = r.number(el["alpha_beta_gy"], "elsewhere.alpha_beta_gy");
    if (!(out.table.elsewhere_gy > 0))
      r.fail(el["alpha_beta_gy"], "elsewhere.alpha_beta_gy", "a positive a/b in Gy", el["alpha_beta_gy"].Scalar());
    if (el["source"]) out.table.elsewhere_source = r.text(el["source"], "elsewhere.source");
    if (root["recovery"]) {
      if (!root["recovery"].IsSequence()) r.fail(root["recovery"], "recovery", "a list", Reader::describe(root["recovery"]));
      for (const auto& n : root["recovery"]) out.recovery.push_back(read_recovery(r, n));
    }
  } catch (const LoadFailure& f) {
    return f.error;
  }
  if (auto s = validate_alpha_beta_table(out.table); !s) return s.error().with_context(file.string());
  return out;
}

}  // namespace sbrtkit
