// run_batch with stand-in evaluators (no DVH work): the worker pool's bound, failures isolated to their
// plan, fingerprints, shards. Discovery runs on the generated trial (batch_trial.h).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <stdexcept>
#include <thread>

#include "support/batch_trial.h"
#include "core/fnv1a64.h"
#include "sbrtkit/pipelines/batch.h"
#include "support/cli_runner.h"

namespace sbrtkit {
namespace {

namespace fs = std::filesystem;

std::size_t count_rows(const std::string& dump, const std::string& table) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = dump.find("\n" + table + "|", at)) != std::string::npos; ++at) ++n;
  return n + (dump.rfind(table + "|", 0) == 0);
}

TEST(BatchShard, Fnv1aMatchesPublishedVectors) {
  // Reference values of the FNV-1a 64-bit hash (Fowler, Noll, Vo; IETF draft-eastlake-fnv).
  EXPECT_EQ(detail::fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(detail::fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(detail::fnv1a64("foobar"), 0x85944171f73967e8ull);
}

TEST(BatchShard, ParsesIOfN) {
  auto s = parse_shard("2/8");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->index, 2);
  EXPECT_EQ(s->count, 8);
  for (const char* bad : {"0/2", "3/2", "1/0", "2", "a/b", "1/2x", "-1/2", ""}) EXPECT_FALSE(parse_shard(bad)) << bad;
}

TEST(BatchShard, EveryKeyInExactlyOneShard) {
  for (int n = 1; n <= 7; ++n)
    for (int k = 0; k < 200; ++k) {
      const std::string key = "2.25." + std::to_string(1000003 * k + 17);
      int hits = 0;
      for (int i = 1; i <= n; ++i) hits += in_shard(key, {i, n});
      EXPECT_EQ(hits, 1) << key << " in " << n << " shards";
    }
}

class BatchRunner : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_FALSE(testing::trial_dir().empty()) << "scripts/make_trial.sh failed"; }
};

TEST_F(BatchRunner, DiscoversEveryPlanOfTheTrial) {
  auto trial = discover_plans(testing::trial_dir());
  ASSERT_TRUE(trial);
  EXPECT_EQ(trial->plans.size(), std::size_t(testing::kTrialPatients) + 1);  // + patient_004's foreign dose
  std::set<std::string> keys;
  for (const auto& p : trial->plans) keys.insert(p.key);
  EXPECT_EQ(keys.size(), trial->plans.size());
  std::size_t linked = 0;
  for (const auto& p : trial->plans) linked += p.link_error.has_value();
  EXPECT_EQ(linked, 1u);
  EXPECT_EQ(trial->non_dicom_files, std::size_t(3 * testing::kTrialPatients + 2));
  EXPECT_TRUE(trial->unreadable.empty());
}

TEST_F(BatchRunner, WorkerPoolBoundsPlansInFlightAndIsolatesFailures) {
  testing::TempDir dir;
  std::atomic<int> running{0}, most{0}, calls{0};
  BatchEvaluator e;
  e.identity = "stand-in 1";
  e.protocol_id = "stand-in";
  e.evaluate = [&](const PlanJob& job) {
    const int now = ++running;
    for (int seen = most; now > seen && !most.compare_exchange_weak(seen, now);) {
    }
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    --running;
    if (job.patient_id == "SBRTKIT-MCRPC-7") throw std::runtime_error("stand-in failure");
    PlanResult r;
    r.status = PlanStatus::evaluated;
    r.overall = "pass";
    r.structures.push_back({1, "BODY", "EXTERNAL", 1000, 1, std::nullopt, {{"Max[Gy]", 1.5}}});
    return r;
  };
  BatchOptions o;
  o.root = testing::trial_dir();
  o.out_dir = dir / "out";
  o.protocol = "stand-in";
  o.jobs = 3;
  std::size_t reports = 0;
  auto summary = run_batch(o, e, [&](const BatchProgress& p) {
    ++reports;
    EXPECT_LE(p.done, p.total);
  });
  ASSERT_TRUE(summary) << summary.error().message();
  EXPECT_LE(most.load(), 3);
  EXPECT_EQ(calls.load(), testing::kTrialPatients + 1);
  EXPECT_EQ(summary->evaluated, std::size_t(testing::kTrialPatients) + 1);
  EXPECT_EQ(summary->failed, 1u);  // the throwing plan, as an error row
  EXPECT_EQ(reports, summary->evaluated + 1);
  auto dump = dump_results(o.out_dir / "results.sqlite");
  ASSERT_TRUE(dump);
  EXPECT_NE(dump->find("'internal error: stand-in failure'"), std::string::npos);
  EXPECT_EQ(count_rows(*dump, "plans"), std::size_t(testing::kTrialPatients) + 1);
  EXPECT_EQ(count_rows(*dump, "dvh_metrics"), std::size_t(testing::kTrialPatients));

  // Same evaluator: nothing to do. Another identity (protocol edited, new version): everything again.
  calls = 0;
  auto again = run_batch(o, e, nullptr);
  ASSERT_TRUE(again);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(again->skipped, std::size_t(testing::kTrialPatients) + 1);
  EXPECT_EQ(again->failed, 1u);
  e.identity = "stand-in 2";
  auto changed = run_batch(o, e, nullptr);
  ASSERT_TRUE(changed);
  EXPECT_EQ(calls.load(), testing::kTrialPatients + 1);
  const auto redone = dump_results(o.out_dir / "results.sqlite");
  ASSERT_TRUE(redone);
  EXPECT_NE(*redone, *dump);  // new fingerprints ...
  EXPECT_EQ(redone->substr(redone->find("\nstructures|")), dump->substr(dump->find("\nstructures|")));  // same rows
}

TEST_F(BatchRunner, UnwritableOutputStopsTheBatch) {
  testing::TempDir dir;
  std::ofstream(dir / "file") << "not a folder";
  BatchEvaluator e;
  e.evaluate = [](const PlanJob&) { return PlanResult{}; };
  BatchOptions o;
  o.root = testing::trial_dir();
  o.out_dir = dir / "file" / "out";
  auto summary = run_batch(o, e, nullptr);
  ASSERT_FALSE(summary);
  EXPECT_NE(summary.error().message().find("output folder"), std::string::npos) << summary.error().message();
}

}  // namespace
}  // namespace sbrtkit
