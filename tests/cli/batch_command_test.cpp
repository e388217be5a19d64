// `sbrtkit batch` / `sbrtkit merge` end to end on a generated trial (scripts/make_trial.sh): every plan
// found, broken patients as error rows with their reason, results equal to `sbrtkit check` of the same
// patient, resumption after SIGKILL, shards + merge, and the Snakemake workflow.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "sbrtkit/pipelines/batch.h"
#include "support/batch_trial.h"
#include "support/cli_runner.h"

namespace sbrtkit {
namespace {

namespace fs = std::filesystem;
using testing::run_sbrtkit;
using testing::TempDir;

constexpr const char* kProtocol = "mdt-ompc";

std::string dump(const fs::path& out) {
  auto d = dump_results(out / "results.sqlite");
  EXPECT_TRUE(d) << (d ? "" : d.error().message());
  return d ? *d : "";
}

std::vector<std::string> rows_of(const std::string& dump_text, const std::string& table) {
  std::vector<std::string> rows;
  std::istringstream in(dump_text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(table + "|", 0) == 0) rows.push_back(line);
  return rows;
}

std::size_t line_count(const fs::path& file) {
  std::ifstream in(file);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

class BatchTrial : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A missing subcommand fails every test of the suite (never a skip): `batch` must be in cli/main.cpp.
    ASSERT_EQ(run_sbrtkit({"batch", "--help"}).exit_code, 0) << "`batch` is not registered in cli/main.cpp";
    ASSERT_TRUE(fs::exists(testing::trial_dir() / "README.txt")) << "scripts/make_trial.sh failed";
  }
  static testing::CommandResult batch(const fs::path& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"batch", testing::trial_dir().string(), "--protocol", kProtocol, "--out", out.string(),
                                     "--progress", "log"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_sbrtkit(args);
  }
};


/// Runs `sbrtkit batch` as a child process and kills it (SIGKILL) once `kill_after_json` plan results
/// are on disk. Returns false when the batch finished before it could be killed.
bool run_and_kill(const std::vector<std::string>& arguments, const fs::path& out, std::size_t kill_after_json) {
  std::vector<std::string> args = {SBRTKIT_BINARY};
  args.insert(args.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(4);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;  // finished on its own
    std::size_t results = 0;
    std::error_code ec;
    for (fs::directory_iterator it(out / "plans", ec), end; !ec && it != end; it.increment(ec))
      if (it->path().extension() == ".json" && it->path().filename().string()[0] != '.') ++results;
    if (results >= kill_after_json) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return WIFSIGNALED(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return false;
}

void copy_patient(int patient, const fs::path& to) {
  char name[32];
  std::snprintf(name, sizeof name, "patient_%03d", patient);
  fs::create_directories(to);
  fs::copy(testing::trial_dir() / name, to / name, fs::copy_options::recursive);
}

// 20 patients -> 21 plans: 20 RTPLANs, and patient_004's RTDOSE (which references patient_001's plan) as
// a plan of its own. 4 cannot be evaluated (002 truncated dose, 003 no structure set, 004's plan has no
// dose, 004's dose belongs to another patient's plan); each of the other 17 fails mdt-ompc on purpose
// (the phantom's L3 lesion lies 2 mm closer to the cauda equina than its limit allows).
TEST_F(BatchTrial, FindsEveryPlanAndStoresBrokenPatientsAsErrorRows) {
  TempDir dir;
  const auto out = dir / "out";
  const auto r = batch(out, {"--jobs", "2"});
  EXPECT_EQ(r.exit_code, 2 + 4) << r.out << r.err;  // 2 + number of plans with an error row
  EXPECT_NE(r.out.find("21 plans under"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("4 failed, 17 with a major deviation"), std::string::npos) << r.out;
  // Non-DICOM files: per patient notes.txt, a text file named .dcm and ground_truth.json; README and CSV.
  EXPECT_NE(r.out.find(std::to_string(3 * testing::kTrialPatients + 2) + " other files"), std::string::npos) << r.out;

  const std::string d = dump(out);
  const auto plans = rows_of(d, "plans");
  ASSERT_EQ(plans.size(), 21u) << d.substr(0, 2000);
  std::size_t errors = 0;
  for (const auto& row : plans) errors += row.find("|'error'|") != std::string::npos;
  EXPECT_EQ(errors, 4u);
  auto error_of = [&](const std::string& patient) {
    std::string reasons;
    for (const auto& row : plans)
      if (row.find("'" + patient + "'") != std::string::npos && row.find("|'error'|") != std::string::npos)
        reasons += row + "\n";
    return reasons;
  };
  EXPECT_NE(error_of("SBRTKIT-MCRPC-2").find("(7FE0,0010) PixelData"), std::string::npos) << error_of("SBRTKIT-MCRPC-2");
  EXPECT_NE(error_of("SBRTKIT-MCRPC-2").find("patient_002/planning/rtdose.dcm"), std::string::npos);
  EXPECT_NE(error_of("SBRTKIT-MCRPC-3").find("no RTSTRUCT linked"), std::string::npos) << error_of("SBRTKIT-MCRPC-3");
  EXPECT_NE(error_of("SBRTKIT-MCRPC-4").find("no RTDOSE linked"), std::string::npos) << error_of("SBRTKIT-MCRPC-4");
  EXPECT_NE(error_of("SBRTKIT-MCRPC-4").find("of patient 'SBRTKIT-MCRPC-1'"), std::string::npos)
      << error_of("SBRTKIT-MCRPC-4");

  // Every evaluated plan has one constraint row per protocol row; the CSVs hold what the database holds.
  const auto constraints = rows_of(d, "constraint_results");
  EXPECT_EQ(line_count(out / "plans.csv"), 1 + plans.size());
  EXPECT_EQ(line_count(out / "constraints.csv"), 1 + constraints.size() + errors);
  EXPECT_EQ(constraints.size() % 17, 0u);  // the same protocol for every plan
  EXPECT_EQ(rows_of(d, "dvh_metrics").size(), rows_of(d, "structures").size() * 9);  // 9 default metrics
  std::size_t json_files = 0;
  for (const auto& f : fs::directory_iterator(out / "plans")) {
    ++json_files;
    std::ifstream in(f.path());
    const auto j = nlohmann::json::parse(in, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << f.path();
    EXPECT_EQ(j["schema"], "sbrtkit-batch-plan/1");
    EXPECT_EQ(j["status"] == "error", !j["error"].is_null()) << f.path();
  }
  EXPECT_EQ(json_files, plans.size());
}

// The batch evaluates a plan found in a tree exactly as `sbrtkit check` and `sbrtkit dvh` evaluate the
// patient's folder: same reader, same engine, so the numbers agree to the last bit (compared through
// JSON, which prints doubles in round-trip form).
TEST_F(BatchTrial, ResultsEqualCheckAndDvhOfThePatient) {
  TempDir dir;
  copy_patient(1, dir / "trial");
  copy_patient(5, dir / "trial");
  const auto r = run_sbrtkit({"batch", (dir / "trial").string(), "--protocol", kProtocol, "--out",
                              (dir / "out").string(), "--progress", "none"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;  // both evaluated, both with the deliberate major deviation
  for (const char* patient : {"patient_001", "patient_005"}) {
    const auto check = run_sbrtkit({"check", (dir / "trial" / patient).string(), "--protocol", kProtocol, "--format", "json"});
    const auto expected = nlohmann::json::parse(check.out);
    const auto dvh = nlohmann::json::parse(
        run_sbrtkit({"dvh", (dir / "trial" / patient).string(), "--format", "json"}).out);
    std::string key;
    for (const auto& f : fs::directory_iterator(dir / "out" / "plans")) {
      std::ifstream in(f.path());
      const auto j = nlohmann::json::parse(in);
      if (j["inputs"]["rtplan"].get<std::string>().rfind(patient, 0) != 0) continue;
      key = j["plan"]["key"];
      ASSERT_EQ(j["check"]["rows"].size(), expected["rows"].size());
      for (std::size_t i = 0; i < expected["rows"].size(); ++i) {
        EXPECT_EQ(j["check"]["rows"][i]["value"], expected["rows"][i]["value"]) << patient << " row " << i;
        EXPECT_EQ(j["check"]["rows"][i]["result"], expected["rows"][i]["result"]) << patient << " row " << i;
      }
      EXPECT_EQ(j["summary"]["result"], expected["summary"]["result"]);
      ASSERT_EQ(j["structures"].size(), dvh["structures"].size());
      for (std::size_t s = 0; s < dvh["structures"].size(); ++s) {
        EXPECT_EQ(j["structures"][s]["name"], dvh["structures"][s]["name"]);
        EXPECT_EQ(j["structures"][s]["metrics"], dvh["structures"][s]["metrics"]) << patient << " " << dvh["structures"][s]["name"];
      }
    }
    EXPECT_FALSE(key.empty()) << patient << " has no result file";
  }
}

TEST_F(BatchTrial, RerunSkipsCurrentPlansAndRedoesChangedOnes) {
  TempDir dir;
  copy_patient(5, dir / "trial");
  copy_patient(6, dir / "trial");
  std::vector<std::string> args = {"batch", (dir / "trial").string(), "--protocol", kProtocol, "--out",
                                   (dir / "out").string(), "--progress", "log"};
  const auto first = run_sbrtkit(args);
  ASSERT_EQ(first.exit_code, 1) << first.err;
  const std::string before = dump(dir / "out");
  const auto again = run_sbrtkit(args);
  EXPECT_EQ(again.exit_code, 1);  // the outcome of the stored plans, not of this (empty) run
  EXPECT_NE(again.out.find("0 evaluated, 2 up to date"), std::string::npos) << again.out;
  EXPECT_EQ(dump(dir / "out"), before);

  // A new modification time on one dose: that plan only is evaluated again.
  const auto dose = dir / "trial" / "patient_006" / "planning" / "rtdose.dcm";
  fs::last_write_time(dose, fs::last_write_time(dose) + std::chrono::seconds(10));
  const auto changed = run_sbrtkit(args);
  EXPECT_NE(changed.out.find("1 evaluated, 1 up to date"), std::string::npos) << changed.out;
  EXPECT_NE(changed.err.find("SBRTKIT-MCRPC-6"), std::string::npos) << changed.err;
  const std::string after = dump(dir / "out");
  EXPECT_NE(after, before);  // the fingerprint of patient 6 changed ...
  EXPECT_EQ(rows_of(after, "constraint_results"), rows_of(before, "constraint_results"));  // ... not its results

  args.push_back("--force");
  const auto forced = run_sbrtkit(args);
  EXPECT_NE(forced.out.find("2 evaluated, 0 up to date"), std::string::npos) << forced.out;
  EXPECT_EQ(dump(dir / "out"), after);
}

TEST_F(BatchTrial, PlansThatLeftTheTreeLeaveTheResults) {
  // Two patients, then one of them is deleted from the tree: the rerun removes its rows, its JSON and its
  // CSV lines, says so, and the database equals a fresh run on the remaining patient.
  TempDir dir;
  copy_patient(5, dir / "trial");
  copy_patient(6, dir / "trial");
  std::vector<std::string> args = {"batch", (dir / "trial").string(), "--protocol", kProtocol, "--out",
                                   (dir / "out").string(), "--progress", "log"};
  ASSERT_EQ(run_sbrtkit(args).exit_code, 1);
  EXPECT_NE(dump(dir / "out").find("SBRTKIT-MCRPC-6"), std::string::npos);
  fs::remove_all(dir / "trial" / "patient_006");
  const auto again = run_sbrtkit(args);
  EXPECT_EQ(again.exit_code, 1) << again.err;  // patient 5 still fails mdt-ompc
  EXPECT_NE(again.out.find("removed from the results: 1 plan no longer in the tree"), std::string::npos) << again.out;
  const std::string after = dump(dir / "out");
  EXPECT_EQ(after.find("SBRTKIT-MCRPC-6"), std::string::npos);
  EXPECT_EQ(rows_of(after, "plans").size(), 1u);
  std::size_t json = 0;
  for (const auto& f : fs::directory_iterator(dir / "out" / "plans")) json += f.path().extension() == ".json";
  EXPECT_EQ(json, 1u);
  EXPECT_EQ(testing::read_text(dir / "out" / "plans.csv").find("SBRTKIT-MCRPC-6"), std::string::npos);
  // Same rows as a run that never saw patient 6 (the runs table records history and is left out of dump).
  std::vector<std::string> fresh = {"batch", (dir / "trial").string(), "--protocol", kProtocol, "--out",
                                    (dir / "fresh").string(), "--progress", "log"};
  ASSERT_EQ(run_sbrtkit(fresh).exit_code, 1);
  EXPECT_EQ(dump(dir / "fresh"), after);
}

TEST_F(BatchTrial, KilledAndResumedGivesTheSameDatabaseAsOneRun) {
  TempDir dir;
  const auto complete = batch(dir / "complete", {"--jobs", "2"});
  ASSERT_EQ(complete.exit_code, 6) << complete.err;
  const std::vector<std::string> args = {"batch", testing::trial_dir().string(), "--protocol", kProtocol, "--out",
                                         (dir / "resumed").string(), "--jobs", "1", "--progress", "log"};
  ASSERT_TRUE(run_and_kill(args, dir / "resumed", 3)) << "the batch finished before it could be killed";
  const std::string partial = dump(dir / "resumed");
  const auto stored = rows_of(partial, "plans").size();
  EXPECT_GE(stored, 2u);  // plans whose JSON was written before the kill ...
  EXPECT_LT(stored, 21u);
  // ... each with all its rows: a plan is one transaction.
  for (const auto& row : rows_of(partial, "plans")) {
    const std::string key = row.substr(6, row.find('|', 6) - 6);  // quoted, as in the dump
    if (row.find("|'evaluated'|") == std::string::npos) continue;
    std::size_t n = 0;
    for (const auto& c : rows_of(partial, "constraint_results")) n += c.rfind("constraint_results|" + key + "|", 0) == 0;
    EXPECT_EQ(n, 44u) << key;  // mdt-ompc rows of a phantom plan (22 + 1 + 1 + 20 in the log above)
  }
  const auto resumed = run_sbrtkit(args);
  EXPECT_EQ(resumed.exit_code, 6) << resumed.err;
  EXPECT_NE(resumed.out.find(std::to_string(stored) + " up to date"), std::string::npos) << resumed.out;
  EXPECT_EQ(dump(dir / "resumed"), dump(dir / "complete"));
  EXPECT_EQ(testing::read_text(dir / "resumed" / "constraints.csv"), testing::read_text(dir / "complete" / "constraints.csv"));
  EXPECT_EQ(testing::read_text(dir / "resumed" / "plans.csv"), testing::read_text(dir / "complete" / "plans.csv"));
}

TEST_F(BatchTrial, ShardsPartitionThePlansAndMergeToTheFullRun) {
  TempDir dir;
  const auto full = batch(dir / "full");
  ASSERT_EQ(full.exit_code, 6) << full.err;
  const auto one = batch(dir / "s1", {"--shard", "1/2"});
  const auto two = batch(dir / "s2", {"--shard", "2/2"});
  const auto n1 = rows_of(dump(dir / "s1"), "plans").size(), n2 = rows_of(dump(dir / "s2"), "plans").size();
  EXPECT_EQ(n1 + n2, 21u);
  EXPECT_GT(n1, 0u);
  EXPECT_GT(n2, 0u);
  const auto merged = run_sbrtkit({"merge", (dir / "merged").string(), (dir / "s1").string(), (dir / "s2").string()});
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  EXPECT_EQ(merged.err, "");  // no plan in both shards
  EXPECT_EQ(dump(dir / "merged"), dump(dir / "full"));
  EXPECT_EQ(testing::read_text(dir / "merged" / "constraints.csv"), testing::read_text(dir / "full" / "constraints.csv"));
  std::size_t json_files = 0;
  for ([[maybe_unused]] const auto& f : fs::directory_iterator(dir / "merged" / "plans")) ++json_files;
  EXPECT_EQ(json_files, 21u);
  // Merging again gives the same database (built afresh, not appended to).
  ASSERT_EQ(run_sbrtkit({"merge", (dir / "merged").string(), (dir / "s1").string(), (dir / "s2").string()}).exit_code, 0);
  EXPECT_EQ(dump(dir / "merged"), dump(dir / "full"));
  (void)one;
  (void)two;
}

TEST_F(BatchTrial, SnakemakeWorkflowRunsShardsAndMerge) {
  if (std::system("snakemake --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "snakemake is not installed";
  TempDir dir;
  copy_patient(1, dir / "trial");
  copy_patient(2, dir / "trial");
  copy_patient(5, dir / "trial");
  const auto reference = run_sbrtkit({"batch", (dir / "trial").string(), "--protocol", kProtocol, "--out",
                                      (dir / "reference").string(), "--progress", "none"});
  ASSERT_EQ(reference.exit_code, 3) << reference.err;  // patient_002's truncated dose
  const std::string command =
      "cd " + testing::shell_quoted(dir.path().string()) + " && snakemake -s " +
      testing::shell_quoted(std::string(SBRTKIT_SOURCE_DIR) + "/workflow/Snakefile") +
      " --cores 2 --quiet --config root=" + testing::shell_quoted((dir / "trial").string()) +
      " out=" + testing::shell_quoted((dir / "results").string()) + " shards=2 protocol=" + kProtocol +
      " threads_per_shard=1 sbrtkit=" + testing::shell_quoted(SBRTKIT_BINARY) + " > snakemake.log 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << testing::read_text(dir / "snakemake.log");
  EXPECT_TRUE(fs::exists(dir / "results" / "logs" / "shard_1.log"));
  EXPECT_EQ(dump(dir / "results" / "merged"), dump(dir / "reference"));
  EXPECT_EQ(testing::read_text(dir / "results" / "merged" / "plans.csv"), testing::read_text(dir / "reference" / "plans.csv"));
}

TEST_F(BatchTrial, BadInputExitsWithTwo) {
  TempDir dir;
  const auto bad_protocol = run_sbrtkit({"batch", testing::trial_dir().string(), "--protocol", "no-such-protocol",
                                         "--out", (dir / "o").string()});
  EXPECT_EQ(bad_protocol.exit_code, 2);
  EXPECT_NE(bad_protocol.err.find("no-such-protocol"), std::string::npos) << bad_protocol.err;
  EXPECT_FALSE(fs::exists(dir / "o" / "results.sqlite"));  // the protocol fails before anything is written
  const auto bad_shard = batch(dir / "o", {"--shard", "3/2"});
  EXPECT_EQ(bad_shard.exit_code, 2);
  EXPECT_NE(bad_shard.err.find("--shard"), std::string::npos) << bad_shard.err;
  const auto missing = run_sbrtkit({"batch", (dir / "nothing").string(), "--protocol", kProtocol, "--out", (dir / "o").string()});
  EXPECT_EQ(missing.exit_code, 2);
  fs::create_directories(dir / "empty");
  std::ofstream(dir / "empty" / "notes.txt") << "no DICOM here";
  const auto empty = run_sbrtkit({"batch", (dir / "empty").string(), "--protocol", kProtocol, "--out", (dir / "o").string()});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("at least one plan"), std::string::npos) << empty.err;
  const auto merge_nothing = run_sbrtkit({"merge", (dir / "m").string(), (dir / "empty").string()});
  EXPECT_EQ(merge_nothing.exit_code, 2);
  EXPECT_NE(merge_nothing.err.find("results.sqlite"), std::string::npos) << merge_nothing.err;
}

TEST_F(BatchTrial, ProgressBarOnATerminal) {
  TempDir dir;
  copy_patient(5, dir / "trial");
  const auto r = run_sbrtkit({"batch", (dir / "trial").string(), "--protocol", kProtocol, "--out",
                              (dir / "out").string(), "--progress", "bar"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[##############################] 1/1 plans 100%"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\r\033[K"), std::string::npos);  // redrawn in place
}

}  // namespace
}  // namespace sbrtkit
