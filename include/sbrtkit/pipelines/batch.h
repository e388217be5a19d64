#pragma once
/// `sbrtkit batch` and `sbrtkit merge`: protocol compliance of every plan of a trial.
///
/// A batch indexes a tree of patients once (headers only), groups the files of each patient into plans
/// (dicom_index.h find_plans, patient by patient), keeps the plans of its shard and evaluates them on a
/// fixed pool of worker threads, one plan per worker at a time (memory stays bounded by --jobs plans).
/// Each finished plan is stored at once: its JSON (written atomically) and its rows in results.sqlite
/// (one transaction per plan), so a killed batch loses at most the plans in flight. A rerun skips the
/// plans whose stored input fingerprint (size + mtime of each input file, the protocol's content and the
/// sbrtkit version) is unchanged. The CSVs are exported from the database at the end of every run.
/// The output folder layout and the database schema are documented in docs/batch.md.
///
///   BatchOptions o{.root = "trial", .out_dir = "out", .protocol = "mdt-ompc"};
///   auto evaluator = make_check_evaluator(o.protocol);
///   auto summary = run_batch(o, *evaluator, nullptr);   // summary->failed: plans with an error row

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/pipelines/dvh_report.h"
#include "sbrtkit/plan_result.h"
#include "sbrtkit/protocol.h"

namespace sbrtkit {

/// What a walk of the batch root found.
struct TrialIndex {
  std::filesystem::path root;
  std::vector<PlanJob> plans;  // sorted by key
  std::size_t dicom_files = 0, non_dicom_files = 0;
  std::vector<Error> unreadable;  // DICOM files whose header could not be parsed
  double seconds = 0;
};

/// Indexes every file under root (headers only) and groups the DICOM objects patient by patient
/// (PatientID) into plans. Fingerprints are left empty (see fingerprint_plan).
Expected<TrialIndex> discover_plans(const std::filesystem::path& root);

/// `--shard I/N`: the plans whose key hashes (FNV-1a 64) to I - 1 modulo N; I is 1-based.
struct Shard {
  int index = 1, count = 1;
};
Expected<Shard> parse_shard(std::string_view text);
bool in_shard(std::string_view plan_key, const Shard& shard);

/// Input fingerprint of a plan: relative paths, sizes and modification times of its files, and
/// `evaluator_identity` (protocol content, sbrtkit version, metric list). Unreadable files give an
/// error naming the file.
Expected<std::string> fingerprint_plan(const PlanJob& job, const std::filesystem::path& root,
                                       std::string_view evaluator_identity);

/// Evaluates one plan. Called concurrently from the worker threads; must not throw.
using PlanEvaluator = std::function<PlanResult(const PlanJob&)>;

struct BatchEvaluator {
  PlanEvaluator evaluate;
  std::string identity;  // part of every input fingerprint: a change re-evaluates every plan
  std::string protocol_id, protocol_version;
};

/// The `sbrtkit check` evaluation (check_report.h run_check) on the plan's files, plus the DVH metrics
/// of every structure (default: kDefaultDvhMetrics). The protocol is loaded once here so that a typo
/// fails before any DICOM is read.
/// `describe` turns the check into the JSON embedded in each plan's result file (the CLI passes
/// report/check_output.h format_check_json; injected so that pipelines/ does not depend on report/).
struct CheckResult;
using CheckDescriber = std::function<std::string(const CheckResult&)>;
Expected<BatchEvaluator> make_check_evaluator(const std::string& protocol_name_or_file, CheckDescriber describe,
                                              std::vector<std::string> dvh_metrics = kDefaultDvhMetrics);

struct BatchOptions {
  std::filesystem::path root, out_dir;
  std::string protocol;
  int jobs = 0;  // worker threads; 0 = all cores
  Shard shard;
  bool force = false;  // re-evaluate plans whose result is current
};

/// Reported once after discovery (done == 0), then after every stored or skipped plan.
struct BatchProgress {
  std::size_t total = 0;  // plans of this shard
  std::size_t done = 0, skipped = 0, evaluated = 0, failed = 0, major = 0;
  double elapsed_s = 0;
  std::optional<double> eta_s;      // from the evaluation rate so far
  const PlanResult* last = nullptr;  // the plan just stored (nullptr for skips and the first report)
};
using ProgressSink = std::function<void(const BatchProgress&)>;

struct BatchSummary {
  std::size_t discovered = 0, in_shard = 0, skipped = 0, evaluated = 0;
  /// Plans of this shard stored by an earlier run whose files are no longer in the tree: their rows and
  /// JSON are removed, so the database describes the tree as it is.
  std::vector<std::string> removed;
  std::size_t failed = 0;  // error rows: the plan could not be evaluated
  std::size_t major = 0;   // evaluated plans with a major deviation
  std::size_t dicom_files = 0, non_dicom_files = 0;
  std::vector<Error> unreadable;
  double discovery_s = 0, seconds = 0;
  int jobs = 0;
};

/// Runs a batch into options.out_dir (created): plans/<key>.json, results.sqlite, constraints.csv,
/// plans.csv, batch.json. Errors only for what stops the whole batch (root missing, output not
/// writable, database unusable); a broken plan is an error row.
Expected<BatchSummary> run_batch(const BatchOptions& options, const BatchEvaluator& evaluator,
                                 const ProgressSink& progress);

struct MergeSummary {
  std::size_t shards = 0, plans = 0;
  std::vector<std::string> warnings;  // e.g. a plan present in two shards
};

/// Combines the outputs of batch runs (shards) into out_dir: one results.sqlite (rows of a plan found in
/// several inputs come from the last one, with a warning), the plan JSONs, and the CSVs. Re-running a
/// merge gives the same output.
Expected<MergeSummary> merge_batches(const std::filesystem::path& out_dir,
                                     const std::vector<std::filesystem::path>& shard_dirs);

/// Every row of the four result tables in key order, one line per row: for comparing two databases.
Expected<std::string> dump_results(const std::filesystem::path& database);

}  // namespace sbrtkit
