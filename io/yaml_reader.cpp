#include "io/yaml_reader.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace sbrtkit::detail {

Expected<YamlReader> YamlReader::open(const std::filesystem::path& file, const std::string& what) {
  const std::string path = file.string();
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(status)) return Error::io(path, "cannot open the " + what + ": no such file");
  if (std::filesystem::is_directory(status))
    return Error::io(path, "cannot read the " + what + ": this is a directory, expected a YAML file");
  if (!std::filesystem::is_regular_file(status))
    return Error::io(path, "cannot read the " + what + ": not a regular file, expected a YAML file");
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return Error::io(path, "cannot read the " + what + ": " + ec.message());
  if (size > kMaxYamlBytes)
    return Error::bad_value(path, "file size", "a " + what + " of at most " + std::to_string(kMaxYamlBytes) + " bytes",
                            std::to_string(size) + " bytes");
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::io(path, "cannot open the " + what);
  std::string content(static_cast<std::size_t>(size), '\0');
  in.read(content.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) return Error::io(path, "cannot read the " + what);
  try {
    return YamlReader(file, YAML::Load(content));
  } catch (const YAML::Exception& e) {
    const std::string at = e.mark.line >= 0 ? "line " + std::to_string(e.mark.line + 1) + ", column " +
                                                  std::to_string(e.mark.column + 1)
                                            : std::string("document");
    return Error::bad_value(path, at, "valid YAML", e.msg);
  }
}

std::string YamlReader::where(const YAML::Node& node, const std::string& key) {
  const YAML::Mark m = node.Mark();
  std::string at = m.line >= 0 ? "line " + std::to_string(m.line + 1) + ", column " + std::to_string(m.column + 1)
                               : std::string("document");
  if (!key.empty()) at += " (" + key + ")";
  return at;
}

std::string YamlReader::describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  return "'" + node.Scalar() + "'";
}

Error YamlReader::error_at(const YAML::Node& node, const std::string& key, const std::string& expected,
                           const std::string& found) const {
  return Error::bad_value(file_.string(), where(node, key), expected, found);
}

void YamlReader::fail(const YAML::Node& node, const std::string& key, const std::string& expected,
                      const std::string& found) const {
  throw YamlFailure{error_at(node, key, expected, found)};
}

void YamlReader::only_keys(const YAML::Node& map, const std::string& what, const std::set<std::string>& allowed) const {
  if (!map.IsMap()) fail(map, what, "a mapping of keys", describe(map));
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) fail(kv.first, what, "a plain key", describe(kv.first));
    const std::string key = kv.first.Scalar();
    if (!allowed.count(key)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(kv.first, what.empty() ? key : what + "." + key, "one of the keys " + list, "unknown key '" + key + "'");
    }
  }
}

std::string YamlReader::text(const YAML::Node& node, const std::string& key) const {
  if (!node.IsScalar()) fail(node, key, "text", describe(node));
  return node.Scalar();
}

std::optional<double> parse_strict_number(const std::string& s) {
  const char* first = s.data();
  const char* last = s.data() + s.size();
  const bool plus = first != last && *first == '+';
  if (plus) ++first;
  // from_chars takes no spaces and no hex in the general format; "nan" and "inf" parse but are not
  // finite, and out-of-range values report an error. "+-3" is no number.
  if (first == last || (plus && *first == '-')) return std::nullopt;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(first, last, v, std::chars_format::general);
  if (ec != std::errc() || ptr != last || !std::isfinite(v)) return std::nullopt;
  return v;
}

double YamlReader::number(const YAML::Node& node, const std::string& key) const {
  if (!node.IsScalar()) fail(node, key, "a number", describe(node));
  const auto v = parse_strict_number(node.Scalar());
  if (!v) fail(node, key, "a finite decimal number", "'" + node.Scalar() + "'");
  return *v;
}

double YamlReader::number_in(const YAML::Node& node, const std::string& key, double lo, double hi, bool lo_open,
                             const std::string& expected) const {
  const double v = number(node, key);
  if (v < lo || (lo_open && v == lo) || v > hi) fail(node, key, expected, "'" + node.Scalar() + "'");
  return v;
}

long YamlReader::integer(const YAML::Node& node, const std::string& key, long lo, long hi) const {
  const std::string expected = "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (!node.IsScalar()) fail(node, key, expected, describe(node));
  const auto v = parse_strict_number(node.Scalar());
  if (!v || *v != std::floor(*v) || *v < double(lo) || *v > double(hi)) fail(node, key, expected, "'" + node.Scalar() + "'");
  return static_cast<long>(*v);
}

bool YamlReader::boolean(const YAML::Node& node, const std::string& key) const {
  const std::string s = text(node, key);
  if (s == "true" || s == "yes") return true;
  if (s == "false" || s == "no") return false;
  fail(node, key, "true or false", "'" + s + "'");
}

std::vector<std::string> YamlReader::texts(const YAML::Node& node, const std::string& key) const {
  if (node.IsScalar()) return {node.Scalar()};
  if (!node.IsSequence()) fail(node, key, "a list of text", describe(node));
  std::vector<std::string> out;
  for (const auto& item : node) out.push_back(text(item, key));
  return out;
}

std::vector<double> YamlReader::numbers(const YAML::Node& node, const std::string& key) const {
  if (!node.IsSequence()) fail(node, key, "a list of numbers", describe(node));
  std::vector<double> out;
  for (const auto& item : node) out.push_back(number(item, key));
  return out;
}

}  // namespace sbrtkit::detail
