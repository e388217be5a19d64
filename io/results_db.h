#pragma once
/// results.sqlite of a batch: the schema (docs/batch.md), one transaction per stored plan, the CSV
/// export and the merge of shard databases. Only this file's .cpp talks to SQLite.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/plan_result.h"

struct sqlite3;

namespace sbrtkit {

inline constexpr int kResultsSchemaVersion = 1;

/// One batch run, kept in the `runs` table (the only table whose content depends on timing).
struct RunRecord {
  std::string started_utc, finished_utc, root, shard, protocol;
  int jobs = 0;
  std::size_t discovered = 0, in_shard = 0, skipped = 0, evaluated = 0, failed = 0;
  double seconds = 0;
};

class ResultsDb {
 public:
  /// Opens (creating the tables when absent) the database file. Errors: not creatable, not an sbrtkit
  /// results database, or one written with another schema version.
  static Expected<ResultsDb> open(const std::filesystem::path& file);
  ResultsDb(ResultsDb&&) noexcept;
  ResultsDb& operator=(ResultsDb&&) noexcept;
  ~ResultsDb();

  struct StoredPlan {
    std::string input_fingerprint, status, result;
  };
  /// plan_key -> what is stored of every plan.
  Expected<std::map<std::string, StoredPlan>> stored_plans() const;
  /// Replaces every row of the plan in one transaction; file paths are stored relative to root.
  Status store(const PlanResult& result, const std::filesystem::path& root);
  Status record_run(const RunRecord& run);
  /// Deletes every row of the plans in one transaction (plans that left the tree).
  Status remove(const std::vector<std::string>& plan_keys);
  /// Copies every plan of another results database in one transaction, replacing rows with the same
  /// plan_key; `replaced` receives the keys that were already present.
  Status merge_from(const std::filesystem::path& other, std::vector<std::string>& replaced);
  /// constraints.csv (one row per plan x constraint; one row per failed plan) and plans.csv.
  Status export_csv(const std::filesystem::path& out_dir) const;
  /// Every row of plans, structures, constraint_results and dvh_metrics in key order.
  Expected<std::string> dump() const;
  std::size_t plan_count() const;

 private:
  explicit ResultsDb(sqlite3* db, std::filesystem::path file);
  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
};

}  // namespace sbrtkit
