#pragma once
// The history.json document before serialisation, so the lesion side can add its `lesions` array.
#include <nlohmann/json.hpp>

#include "sbrtkit/pipelines/history.h"

namespace sbrtkit {

/// Every key of history.json; `lesions` is an empty array here.
nlohmann::json history_json_document(const HistoryReport& report);

}  // namespace sbrtkit
