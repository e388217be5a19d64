#pragma once
/// What `sbrtkit qa` prints: the quality-index table, JSON and CSV.

#include <string>

#include "sbrtkit/pipelines/qa.h"

namespace sbrtkit {

std::string format_qa_table(const QaResult& result);
std::string format_qa_json(const QaResult& result);
std::string format_qa_csv(const QaResult& result);

}  // namespace sbrtkit
