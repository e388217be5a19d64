#pragma once
/// Reads a `response` rules file (YAML; see rules/response-default.yaml).

#include <filesystem>

#include "sbrtkit/expected.h"
#include "sbrtkit/response_rules.h"

namespace sbrtkit {

/// Keys absent from the file keep the values of `defaults`; unknown keys and bad values are errors naming
/// the file, line and key.
Expected<ResponseRuleSet> load_response_rules(const std::filesystem::path& file, const ResponseRuleSet& defaults = {});

}  // namespace sbrtkit
