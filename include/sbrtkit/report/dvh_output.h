#pragma once
/// Renderings of a DvhReport: a readable table, the JSON of the README, and CSV (one row per
/// structure, one column per metric).

#include <string>

#include "sbrtkit/pipelines/dvh_report.h"

namespace sbrtkit {

std::string format_dvh_table(const DvhReport& report);
std::string format_dvh_json(const DvhReport& report);
std::string format_dvh_csv(const DvhReport& report);

}  // namespace sbrtkit
