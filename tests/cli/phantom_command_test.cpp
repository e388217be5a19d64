// `sbrtkit phantom` end to end: the binary writes the small patient and reports it; bad arguments give
// exit code 2 and name the option.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"

namespace sbrtkit {
namespace {

using testing::run_sbrtkit;

// A missing subcommand is a failure, never a skip: `phantom` must be registered in cli/main.cpp.
TEST(PhantomCommand, IsRegistered) {
  const auto r = run_sbrtkit({"phantom", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("--seed"), std::string::npos) << r.out;
}

TEST(PhantomCommand, WritesTheSmallPatient) {
  testing::TempDir dir;
  const auto out = dir / "patient";
  const auto r = run_sbrtkit({"phantom", "--out", out.string(), "--seed", "3", "--size", "small"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("PTV_Node_L"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL (on purpose)"), std::string::npos) << r.out;
  std::ifstream in(out / "ground_truth.json");
  const auto truth = nlohmann::json::parse(in);
  EXPECT_EQ(truth["generator"]["seed"], 3);
  EXPECT_EQ(truth["generator"]["size"], "small");
  for (const auto& f : truth["files"]) EXPECT_TRUE(std::filesystem::exists(out / f.get<std::string>())) << f;
}

TEST(PhantomCommand, BadArgumentsExitWithTwo) {
  testing::TempDir dir;
  const auto bad_size = run_sbrtkit({"phantom", "--out", (dir / "p").string(), "--size", "huge"});
  EXPECT_EQ(bad_size.exit_code, 2);
  EXPECT_NE(bad_size.err.find("--size"), std::string::npos) << bad_size.err;
  EXPECT_EQ(run_sbrtkit({"phantom", "--size", "small"}).exit_code, 2);  // --out is required
  // A folder holding other files is left alone.
  std::ofstream(dir / "notes.txt") << "keep me";
  const auto foreign = run_sbrtkit({"phantom", "--out", dir.path().string(), "--size", "small"});
  EXPECT_EQ(foreign.exit_code, 2);
  EXPECT_NE(foreign.err.find("--out"), std::string::npos) << foreign.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "notes.txt"));
}

}  // namespace
}  // namespace sbrtkit
