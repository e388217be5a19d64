#pragma once
// The one YAML reading helper of sbrtkit's own files (protocols, response rules): it opens the file
// (refusing a directory, a device or a file above kMaxYamlBytes before reading it), parses it, and reads
// scalars strictly. Every error names the file, the line and column of the node and the key:
//   "rules.yaml: line 12, column 14 (segmentation.percent): expected a percentage in (0, 100], found 500"
// Loaders walk the document and call fail() (which throws YamlFailure) on the first bad value;
// their entry point catches YamlFailure and returns its Error, so nothing escapes as an exception.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"

namespace sbrtkit::detail {

/// Thrown by YamlReader::fail inside a loader only; the loader's entry point turns it into its Error.
struct YamlFailure {
  Error error;
};

/// The largest protocol or rules file read. The bundled protocols are 5 to 12 kB; a protocol listing
/// every TG-263 structure with ten constraints each stays under 1 MB. yaml-cpp's node tree takes about 65
/// times the text: a 4 MiB protocol of 43,467 structures peaks at 275 MB and loads in 1.8 s (measured with
/// `sbrtkit protocols show`), where a 50 MB one took > 4 GiB.
inline constexpr std::uintmax_t kMaxYamlBytes = 4u * 1024u * 1024u;

class YamlReader {
 public:
  /// Reads and parses `file`; `what` names the kind of file in messages ("protocol file", "rules file").
  /// Errors: not a regular file (a directory says so), larger than kMaxYamlBytes, unreadable, not YAML
  /// (with the parser's line and column).
  static Expected<YamlReader> open(const std::filesystem::path& file, const std::string& what);

  const YAML::Node& root() const { return root_; }
  const std::filesystem::path& file() const { return file_; }

  /// "line L, column C (key)" for a node (yaml-cpp marks count from 0; people count from 1).
  static std::string where(const YAML::Node& node, const std::string& key);
  static int line(const YAML::Node& node) { return node.Mark().line + 1; }
  static std::string describe(const YAML::Node& node);

  /// The error for a node, without throwing (for checks made after the walk).
  Error error_at(const YAML::Node& node, const std::string& key, const std::string& expected,
                 const std::string& found) const;
  [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& expected,
                         const std::string& found) const;

  /// Fails unless `map` is a mapping whose keys are all in `allowed`; `what` names the section (empty at
  /// the top level), an unknown key is reported as "what.key".
  void only_keys(const YAML::Node& map, const std::string& what, const std::set<std::string>& allowed) const;

  std::string text(const YAML::Node& node, const std::string& key) const;
  /// A scalar that is a finite decimal number and nothing else: "NaN", ".inf", "1e999", "12 Gy", "0x10"
  /// and the empty value are errors (strtod and yaml-cpp's as<double> accept some of these).
  double number(const YAML::Node& node, const std::string& key) const;
  /// number() within [lo, hi]; `expected` says the range in words ("a percentage in (0, 100]").
  double number_in(const YAML::Node& node, const std::string& key, double lo, double hi, bool lo_open,
                   const std::string& expected) const;
  /// A whole number in [lo, hi].
  long integer(const YAML::Node& node, const std::string& key, long lo, long hi) const;
  /// true/false (yes/no accepted, as YAML 1.1 writers produce them), nothing else.
  bool boolean(const YAML::Node& node, const std::string& key) const;
  /// A scalar or a list of scalars.
  std::vector<std::string> texts(const YAML::Node& node, const std::string& key) const;
  std::vector<double> numbers(const YAML::Node& node, const std::string& key) const;

 private:
  YamlReader(std::filesystem::path file, YAML::Node root) : file_(std::move(file)), root_(std::move(root)) {}
  std::filesystem::path file_;
  YAML::Node root_;
};

/// The strict number grammar of YamlReader::number, for text found inside a scalar (a constraint's
/// limit): nullopt unless the whole of `text` is one finite decimal number.
std::optional<double> parse_strict_number(const std::string& text);

}  // namespace sbrtkit::detail
