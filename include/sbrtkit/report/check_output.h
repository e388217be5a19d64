#pragma once
/// What `sbrtkit check` prints: the constraint table, JSON and CSV.

#include <string>

#include "sbrtkit/pipelines/check.h"

namespace sbrtkit {

std::string format_check_table(const CheckResult& result);
std::string format_check_json(const CheckResult& result);
std::string format_check_csv(const CheckResult& result);

}  // namespace sbrtkit
