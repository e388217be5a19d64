#pragma once
/// Tables of the lesion side of `sbrtkit history`: lesions_history.csv (one row per lesion per study) and
/// the terminal lines of the lesion summary. The history.json sections (`lesions`, `lesion_lineage`,
/// `patient_events`, `lesion_rules`) are built in report/history_lesions_json.h.

#include <string>

#include "sbrtkit/pipelines/history_lesions.h"

namespace sbrtkit {

/// history.json with the lesion sections filled in (the dose side's document, `lesions` replaced).
std::string format_history_json_with_lesions(const HistoryReport& report, const HistoryLesions& lesions);
std::string format_lesions_history_csv(const HistoryLesions& lesions);
/// One line per lesion (ID, studies seen, treated by, headline outcome) and per course (progression).
std::string format_history_lesions_summary(const HistoryLesions& lesions);

}  // namespace sbrtkit
