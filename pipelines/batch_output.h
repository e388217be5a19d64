#pragma once
/// The files of a batch besides the database: plans/<key>.json per plan and batch.json per run.

#include <filesystem>
#include <string>

#include "sbrtkit/pipelines/batch.h"

namespace sbrtkit {

/// File name of a plan's result: the key when it is made of [A-Za-z0-9._-] only (UIDs are), else the
/// key with other characters replaced by '_' and a hash of the key appended (no two keys collide).
std::string plan_json_name(const std::string& plan_key);

/// Schema "sbrtkit-batch-plan/1" (docs/batch.md); paths relative to root. The `check` member is the
/// plan's `sbrtkit check --format json` document.
std::string format_plan_json(const PlanResult& result, const std::filesystem::path& root);

std::string format_summary_json(const BatchSummary& summary, const BatchOptions& options,
                                const BatchEvaluator& evaluator);

}  // namespace sbrtkit
