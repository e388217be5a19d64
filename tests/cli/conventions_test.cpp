// Conventions every command shares (issue 13): an unknown command is an error that lists the commands,
// impossible option values are errors naming the option, the plan folder is the first argument everywhere
// with the old --plan spellings still working (with a deprecation warning), exit codes as documented.
#include <gtest/gtest.h>

#include "support/cli_runner.h"
#include "support/cached_output.h"

namespace sbrtkit {
namespace {

using testing::run_sbrtkit;

TEST(Conventions, UnknownCommandIsAnErrorListingTheCommands) {
  for (const auto& args : {std::vector<std::string>{"nosuch"}, std::vector<std::string>{"nosuch", "--help"}}) {
    const auto r = run_sbrtkit(args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown command 'nosuch'"), std::string::npos) << r.err;
    for (const char* c : {"dvh", "qa", "check", "report", "batch", "lesions", "response"})
      EXPECT_NE(r.err.find(c), std::string::npos) << c;
  }
  EXPECT_EQ(run_sbrtkit({"--version"}).exit_code, 0);
}

TEST(Conventions, ImpossibleValuesNameTheOption) {
  const auto f = run_sbrtkit({"check", "anywhere", "--fractions", "0"});
  EXPECT_EQ(f.exit_code, 2);
  EXPECT_NE((f.err + f.out).find("--fractions"), std::string::npos) << f.err;
  const auto rx = run_sbrtkit({"check", "anywhere", "--rx", "-3"});
  EXPECT_EQ(rx.exit_code, 2);
  EXPECT_NE((rx.err + rx.out).find("--rx: expected a dose in Gy above 0"), std::string::npos) << rx.err;
}

TEST(Conventions, PlanFolderIsTheFirstArgumentAndOldSpellingsWarn) {
  const auto& patient = testing::shared_small_patient();
  ASSERT_FALSE(patient.empty());
  const std::string plan = (patient / "planning").string(), pet = (patient / "baseline" / "pet").string();
  testing::TempDir dir;
  // lesions: positional folder; the old --plan DIR gives the same table and a warning.
  const auto now = run_sbrtkit({"lesions", plan, "--pet", pet, "--segment", "percent", "--out", (dir / "a").string()});
  ASSERT_EQ(now.exit_code, 0) << now.err;
  EXPECT_EQ(now.err.find("deprecated"), std::string::npos) << now.err;
  const auto old = run_sbrtkit({"lesions", "--plan", plan, "--pet", pet, "--segment", "percent", "--out",
                                (dir / "b").string()});
  ASSERT_EQ(old.exit_code, 0) << old.err;
  EXPECT_NE(old.err.find("--plan DIR is deprecated"), std::string::npos) << old.err;
  EXPECT_EQ(testing::read_text(dir / "a" / "lesions.csv"), testing::read_text(dir / "b" / "lesions.csv"));
  const auto both = run_sbrtkit({"lesions", plan, "--plan", plan, "--pet", pet, "--segment", "percent", "--out",
                                 (dir / "c").string()});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir / "c" / "lesions.csv"));
  // dvh: --plan-uid chooses the plan; the old --plan UID still does, with a warning.
  const auto uid = run_sbrtkit({"dvh", plan, "--format", "json"});
  ASSERT_EQ(uid.exit_code, 0) << uid.err;
  // The note names the chosen plan: "plan 'SBRT_MDT' (<uid>) chosen: the only plan in the folder".
  const auto at = uid.out.find("' (2.25.");
  ASSERT_NE(at, std::string::npos) << uid.out;
  const auto close = uid.out.find(')', at);
  const std::string plan_uid = uid.out.substr(at + 3, close - at - 3);
  const auto by_new = run_sbrtkit({"dvh", plan, "--plan-uid", plan_uid});
  const auto by_old = run_sbrtkit({"dvh", plan, "--plan", plan_uid});
  ASSERT_EQ(by_new.exit_code, 0) << by_new.err;
  ASSERT_EQ(by_old.exit_code, 0) << by_old.err;
  EXPECT_EQ(by_new.out, by_old.out);
  EXPECT_NE(by_old.err.find("--plan UID is deprecated"), std::string::npos) << by_old.err;
}

}  // namespace
}  // namespace sbrtkit
