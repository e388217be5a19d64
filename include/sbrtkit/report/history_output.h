#pragma once
/// Tables of `sbrtkit history`: history.json (schema docs/schemas/history.schema.json) and
/// structures_cumulative.csv (one row per structure and dose: the cumulative sum, then each course).

#include <string>

#include "sbrtkit/pipelines/history.h"

namespace sbrtkit {

std::string format_history_json(const HistoryReport& report);
std::string format_structures_cumulative_csv(const HistoryReport& report);
/// The terminal summary: courses, registrations, structures of a/b < 3 Gy (the neural ones), limits.
std::string format_history_summary(const HistoryReport& report);

}  // namespace sbrtkit
