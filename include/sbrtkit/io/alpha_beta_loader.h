#pragma once
/// The alpha/beta rules file of `sbrtkit history` (YAML; rules/alpha-beta-default.yaml is the bundled
/// one): entries (name globs or a category -> a/b with its source), the `elsewhere` value and optional
/// per-structure recovery fractions between courses. Strict: an unknown key, an unknown category name,
/// a value that is not a positive number is an error naming the file and line.

#include <filesystem>
#include <string>
#include <vector>

#include "sbrtkit/alpha_beta.h"
#include "sbrtkit/expected.h"

namespace sbrtkit {

/// Recovered fraction r of the earlier courses' EQD2 in a structure (dose_accumulation.h convention).
struct RecoveryRule {
  std::vector<std::string> name_patterns;  // globs on the normalised name, as AlphaBetaEntry
  double fraction = 0;                     // in [0, 1]
  std::string source;
  int line = 0;
};

struct AlphaBetaRules {
  AlphaBetaTable table;
  std::vector<RecoveryRule> recovery;  // empty: no recovery (the default)
};

Expected<AlphaBetaRules> load_alpha_beta_rules(const std::filesystem::path& file);

}  // namespace sbrtkit
