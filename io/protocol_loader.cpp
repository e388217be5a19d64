#include "sbrtkit/io/protocol_loader.h"

#include <algorithm>
#include <cstdlib>
#include <regex>
#include <set>
#include <vector>

#include "io/yaml_reader.h"

namespace sbrtkit {
namespace {

using detail::YamlFailure;
using Reader = detail::YamlReader;

int fraction_count(const Reader& r, const YAML::Node& node, const std::string& key) {
  return static_cast<int>(r.integer(node, key, 1, 1000));
}

Constraint read_constraint(const Reader& r, const YAML::Node& node, StructureRole role) {
  Constraint c;
  // Short form: the constraint text alone; long form: a mapping with `constraint` and options.
  const bool short_form = node.IsScalar();
  if (!short_form) {
    r.only_keys(node, "constraint", {"constraint", "minor_limit", "table", "unconfirmed", "note"});
    if (!node["constraint"]) r.fail(node, "constraint", "a 'constraint' key such as \"D0.35cc[Gy] < 18\"", "none");
  }
  auto has = [&](const char* key) { return !short_form && node[key]; };
  const YAML::Node text_node = short_form ? node : node["constraint"];
  c.text = r.text(text_node, "constraint");
  c.line = r.line(text_node);
  // The form below backtracks quadratically in the text's length: a constraint is a few words, so a
  // length cap keeps the match instant whatever the file holds.
  constexpr std::size_t kMaxConstraintLength = 200;
  if (c.text.size() > kMaxConstraintLength)
    r.fail(text_node, "constraint", "a constraint of at most " + std::to_string(kMaxConstraintLength) + " characters",
           std::to_string(c.text.size()) + " characters");
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
    const auto v = detail::parse_strict_number(limit_text);
    if (!v) r.fail(text_node, "constraint", "a finite number (or 'table') as the limit", "'" + limit_text + "'");
    c.limit = *v;
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
    // Compiled once here; matching is then linear in the ROI name (core/roi_pattern.cpp says why).
    const YAML::Node list = node["patterns"];
    std::vector<YAML::Node> items;
    if (list.IsSequence())
      for (const auto& item : list) items.push_back(item);
    else
      items.push_back(list);
    for (const auto& item : items) {
      const std::string text = r.text(item, "patterns");
      auto pattern = RoiPattern::compile(text);
      if (!pattern)
        r.fail(item, "patterns", "a pattern (regular-expression subset of docs/robustness.md): " + pattern.error().expected,
               pattern.error().found + " in '" + text + "'");
      rule.patterns.push_back(std::move(*pattern));
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

/// The files being loaded, outermost first: an organ-limit include that names one of them is a cycle.
using IncludeChain = std::vector<std::filesystem::path>;

Expected<Protocol> load(const std::filesystem::path& file, IncludeChain chain);

/// The same file whatever the spelling (./a.yaml, ../x/a.yaml, a symlink): for cycle detection only.
std::filesystem::path identity(const std::filesystem::path& file) {
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(file, ec);
  return ec ? file.lexically_normal() : canonical;
}

/// organ_limits: {fractions: protocol}. Each protocol is looked up next to this file, then among the
/// bundled ones. One level only, and never back into a file of the chain (a protocol naming itself or
/// two naming each other recursed until the stack overflowed, issue 20).
void read_organ_limits(const Reader& r, const YAML::Node& limits, const IncludeChain& chain, Protocol& p) {
  if (!limits.IsMap()) r.fail(limits, "organ_limits", "a mapping fractions: protocol", Reader::describe(limits));
  for (const auto& kv : limits) {
    FractionVariant v;
    v.fractions = fraction_count(r, kv.first, "organ_limits");
    const std::string name = r.text(kv.second, "organ_limits");
    std::filesystem::path file = r.file().parent_path() / name;
    if (file.extension() != ".yaml") file += ".yaml";
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      auto dir = bundled_protocols_dir();
      std::filesystem::path bundled = dir ? *dir / file.filename() : std::filesystem::path();
      if (!dir || !std::filesystem::exists(bundled, ec))
        r.fail(kv.second, "organ_limits", "a protocol next to this file or bundled", "'" + name + "'");
      file = bundled;
    }
    const auto id = identity(file);
    for (std::size_t i = 0; i < chain.size(); ++i) {
      if (chain[i] != id) continue;
      std::string loop;
      for (std::size_t j = i; j < chain.size(); ++j) loop += chain[j].filename().string() + " -> ";
      r.fail(kv.second, "organ_limits", "organ limits from another protocol (no cycle)",
             "'" + name + "', a cycle: " + loop + file.filename().string());
    }
    if (chain.size() > 1)
      r.fail(kv.second, "organ_limits", "no nested organ_limits (one level of inclusion)",
             "'" + name + "' inside the included " + r.file().filename().string());
    IncludeChain longer = chain;
    longer.push_back(id);
    auto included = load(file, std::move(longer));
    if (!included)
      throw YamlFailure{included.error().with_context("included by " + r.file().string() + " " +
                                                      Reader::where(kv.second, "organ_limits"))};
    v.protocol_id = included->id;
    v.structures = included->structures;
    for (auto& rule : v.structures) rule.from = included->id;
    p.by_fractions.push_back(std::move(v));
  }
}


Protocol parse(const Reader& r, const YAML::Node& root, const IncludeChain& chain) {
  r.only_keys(root, "",
              {"protocol", "name", "version", "source", "description", "fractions", "prescription", "eqd2",
               "organ_limits", "notes", "structures"});
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
    if (f.IsScalar()) p.fractions.push_back(fraction_count(r, f, "fractions"));
    else if (f.IsSequence()) for (const auto& item : f) p.fractions.push_back(fraction_count(r, item, "fractions"));
    else r.fail(f, "fractions", "a number or a list of numbers", Reader::describe(f));
  }
  if (root["prescription"]) {
    const YAML::Node rx = root["prescription"];
    r.only_keys(rx, "prescription", {"dose_gy", "fractions"});
    if (rx["dose_gy"]) {
      p.prescription_gy = r.number(rx["dose_gy"], "dose_gy");
      if (*p.prescription_gy <= 0) r.fail(rx["dose_gy"], "dose_gy", "a positive dose in Gy", rx["dose_gy"].Scalar());
    }
    if (rx["fractions"]) p.prescription_fractions = fraction_count(r, rx["fractions"], "fractions");
  }
  if (root["eqd2"]) {
    const YAML::Node e = root["eqd2"];
    r.only_keys(e, "eqd2", {"alpha_beta_gy", "reference_fractions"});
    Eqd2Conversion conversion;
    if (!e["alpha_beta_gy"]) r.fail(e, "eqd2", "alpha_beta_gy", "none");
    conversion.alpha_beta_gy = r.number(e["alpha_beta_gy"], "alpha_beta_gy");
    if (conversion.alpha_beta_gy <= 0) r.fail(e["alpha_beta_gy"], "alpha_beta_gy", "a positive a/b in Gy", e["alpha_beta_gy"].Scalar());
    if (e["reference_fractions"]) conversion.reference_fractions = fraction_count(r, e["reference_fractions"], "reference_fractions");
    else if (p.fractions.size() == 1) conversion.reference_fractions = p.fractions.front();
    else r.fail(e, "eqd2", "reference_fractions (the protocol lists several fractionations)", "none");
    p.eqd2 = conversion;
  }
  if (root["notes"]) p.notes = r.texts(root["notes"], "notes");
  if (root["structures"]) {
    if (!root["structures"].IsSequence()) r.fail(root["structures"], "structures", "a list", Reader::describe(root["structures"]));
    for (const auto& s : root["structures"]) p.structures.push_back(read_rule(r, s));
  }
  if (root["organ_limits"]) read_organ_limits(r, root["organ_limits"], chain, p);
  if (p.structures.empty() && p.by_fractions.empty()) r.fail(root, "structures", "at least one structure", "none");
  return p;
}

Expected<Protocol> load(const std::filesystem::path& file, IncludeChain chain) {
  if (chain.empty()) chain.push_back(identity(file));
  auto reader = Reader::open(file, "protocol file");
  if (!reader) return reader.error();
  try {
    const YAML::Node& root = reader->root();
    if (!root.IsMap()) return Error::bad_value(file.string(), "document", "a YAML mapping (protocol: ..., name: ...)",
                                               Reader::describe(root));
    return parse(*reader, root, chain);
  } catch (const YamlFailure& f) {
    return f.error;
  } catch (const YAML::Exception& e) {
    const std::string at = e.mark.line >= 0 ? "line " + std::to_string(e.mark.line + 1) + ", column " +
                                                  std::to_string(e.mark.column + 1)
                                            : std::string("document");
    return Error::bad_value(file.string(), at, "valid YAML", e.msg);
  }
}

}  // namespace

Expected<Protocol> load_protocol_file(const std::filesystem::path& file) { return load(file, {}); }

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
  if (std::filesystem::is_directory(as_path, ec))
    return Error::io(name_or_file, "cannot read the protocol file: this is a directory, expected a YAML file or a "
                                   "bundled protocol name");
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
  std::error_code ec;
  for (std::filesystem::directory_iterator it(*dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec) && it->path().extension() == ".yaml") files.push_back(it->path());
  if (ec) return Error::io(dir->string(), "cannot list the bundled protocols: " + ec.message());
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
