// `sbrtkit merge`: shard outputs of `sbrtkit batch` combined into one database, JSON folder and CSVs.
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "batch_output.h"
#include "io/results_db.h"
#include "sbrtkit/pipelines/batch.h"
#include "io/output_file.h"

namespace sbrtkit {
namespace {

namespace fs = std::filesystem;

Expected<std::string> read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::io(file.string(), "cannot open");
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return Error::io(file.string(), "read failed");
  return content.str();
}

}  // namespace

Expected<MergeSummary> merge_batches(const std::filesystem::path& out_dir,
                                     const std::vector<std::filesystem::path>& shard_dirs) {
  if (shard_dirs.empty()) return Error::bad_argument("SHARD_DIR", "at least one batch output folder", "none");
  std::error_code ec;
  for (const auto& dir : shard_dirs) {
    if (!fs::is_regular_file(dir / "results.sqlite", ec))
      return Error::io((dir / "results.sqlite").string(), "missing: not the output folder of `sbrtkit batch`");
    if (fs::exists(out_dir, ec) && fs::equivalent(dir, out_dir, ec))
      return Error::bad_argument("OUT", "a folder other than the shard folders", out_dir.string());
  }
  fs::create_directories(out_dir / "plans", ec);
  if (ec) return Error::io(out_dir.string(), "cannot create the output folder: " + ec.message());

  // Built under a temporary name and renamed at the end: a rerun starts afresh, and a killed merge
  // leaves the previous results.sqlite whole.
  const fs::path temporary = out_dir / fmt::format(".results.sqlite.merging.{}", ::getpid());
  fs::remove(temporary, ec);
  MergeSummary summary;
  {
    auto db = ResultsDb::open(temporary);
    if (!db) return db.error();
    for (const auto& dir : shard_dirs) {
      const fs::path shard_db = dir / "results.sqlite";
      std::vector<std::string> replaced;
      if (auto s = db->merge_from(shard_db, replaced); !s) {
        fs::remove(temporary, ec);
        return s.error();
      }
      for (const auto& key : replaced)
        summary.warnings.push_back(fmt::format("plan {} is in several inputs: the rows from {} are kept", key,
                                               dir.string()));
      auto shard = ResultsDb::open(shard_db);
      if (!shard) return shard.error();
      auto stored = shard->stored_plans();
      if (!stored) return stored.error();
      for (const auto& [key, plan] : *stored) {
        const std::string name = plan_json_name(key);
        auto content = read_file(dir / "plans" / name);
        if (!content) {
          summary.warnings.push_back("no result file for plan " + key + ": " + content.error().message());
          continue;
        }
        if (auto s = write_file_atomically(out_dir / "plans" / name, *content); !s) return s.error();
      }
      ++summary.shards;
    }
    summary.plans = db->plan_count();
  }
  fs::rename(temporary, out_dir / "results.sqlite", ec);
  if (ec) return Error::io((out_dir / "results.sqlite").string(), "cannot rename the merged database: " + ec.message());
  auto merged = ResultsDb::open(out_dir / "results.sqlite");
  if (!merged) return merged.error();
  if (auto s = merged->export_csv(out_dir); !s) return s.error();
  return summary;
}

Expected<std::string> dump_results(const std::filesystem::path& database) {
  std::error_code ec;
  if (!fs::is_regular_file(database, ec)) return Error::io(database.string(), "missing");
  auto db = ResultsDb::open(database);
  if (!db) return db.error();
  return db->dump();
}

}  // namespace sbrtkit
