#pragma once
// The lesion sections of history.json (schema docs/schemas/history.schema.json): `lesions` (one object
// per lesion ID), `lesion_lineage`, `patient_events` and `lesion_rules`, as one object whose keys are
// merged into the document.
#include <nlohmann/json.hpp>

#include "sbrtkit/pipelines/history_lesions.h"

namespace sbrtkit {

nlohmann::json history_lesion_sections(const HistoryLesions& lesions);

}  // namespace sbrtkit
