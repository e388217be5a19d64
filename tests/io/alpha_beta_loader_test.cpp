// The alpha/beta rules file: the bundled one says what the built-in table says; bad files are named.
#include "sbrtkit/io/alpha_beta_loader.h"
#include "sbrtkit/io/protocol_loader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/dicom_fixtures.h"

namespace sbrtkit {
namespace {

TEST(AlphaBetaLoader, BundledFileEqualsTheBuiltInTable) {
  auto rules = load_alpha_beta_rules(std::filesystem::path(SBRTKIT_SOURCE_DIR) / "rules" / "alpha-beta-default.yaml");
  ASSERT_TRUE(rules) << rules.error().message();
  const AlphaBetaTable builtin = default_alpha_beta_table();
  ASSERT_EQ(rules->table.entries.size(), builtin.entries.size());
  for (std::size_t e = 0; e < builtin.entries.size(); ++e) {
    EXPECT_EQ(rules->table.entries[e].name_patterns, builtin.entries[e].name_patterns) << e;
    EXPECT_EQ(rules->table.entries[e].category, builtin.entries[e].category) << e;
    EXPECT_EQ(rules->table.entries[e].alpha_beta_gy, builtin.entries[e].alpha_beta_gy) << e;
    EXPECT_EQ(rules->table.entries[e].source, builtin.entries[e].source) << e;
  }
  EXPECT_EQ(rules->table.elsewhere_gy, 3.0);
  EXPECT_TRUE(rules->recovery.empty());  // no recovery by default (issue 14)
}

TEST(AlphaBetaLoader, RecoveryEntriesAreRead) {
  testing::ScratchDir dir;
  const auto file = dir / "ab.yaml";
  std::ofstream(file) << "version: 1\nentries:\n  - names: [cord*]\n    alpha_beta_gy: 2\n    source: s\n"
                         "elsewhere:\n  alpha_beta_gy: 3\nrecovery:\n  - names: [cord*]\n    fraction: 0.25\n"
                         "    source: r\n";
  auto rules = load_alpha_beta_rules(file);
  ASSERT_TRUE(rules) << rules.error().message();
  ASSERT_EQ(rules->recovery.size(), 1u);
  EXPECT_EQ(rules->recovery[0].fraction, 0.25);
  EXPECT_EQ(rules->recovery[0].line, 9);
}

TEST(AlphaBetaLoader, BadFilesNameTheFileLineAndKey) {
  testing::ScratchDir dir;
  struct Case {
    std::string text, line, needle;
  };
  const std::string tail = "elsewhere:\n  alpha_beta_gy: 3\n";
  const std::vector<Case> cases = {
      {"version: 1\nentries:\n  - category: nerve\n    alpha_beta_gy: 2\n    source: s\n" + tail, "line 3", "nerve"},
      {"version: 1\nentries:\n  - names: [cord]\n    alpha_beta: 2\n    source: s\n" + tail, "line 4", "alpha_beta"},
      {"version: 1\nentries:\n  - names: [cord]\n    alpha_beta_gy: -2\n    source: s\n" + tail, "line 4", "positive"},
      {"version: 1\nentries:\n  - names: [cord]\n    alpha_beta_gy: two\n    source: s\n" + tail, "line 4", "two"},
      {"version: 1\nentries:\n  - names: [cord]\n    alpha_beta_gy: 2\n" + tail, "line 3", "source"},
      {"version: 1\nentries: []\n" + tail + "recovery:\n  - names: [cord]\n    fraction: 1.5\n    source: x\n", "line 7",
       "[0, 1]"},
      {"version: 2\nentries: []\n" + tail, "line 1", "version"},
      {"version: 1\nentries: []\n" + tail + "colour: red\n", "line 5", "colour"},
  };
  for (const auto& c : cases) {
    const auto file = dir / "ab.yaml";
    std::ofstream(file) << c.text;
    auto rules = load_alpha_beta_rules(file);
    ASSERT_FALSE(rules) << c.text;
    const std::string msg = rules.error().message();
    EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find(c.line), std::string::npos) << msg;
    EXPECT_NE(msg.find(c.needle), std::string::npos) << msg;
  }
  EXPECT_FALSE(load_alpha_beta_rules(dir / "missing.yaml"));
}

TEST(ReirradiationProtocol, BundledSahgalLimitsLoadWithTheirScopes) {
  auto p = load_protocol("reirradiation-spine");
  ASSERT_TRUE(p) << p.error().message();
  ASSERT_TRUE(p->min_course_interval);
  EXPECT_EQ(p->min_course_interval->months, 5);
  ASSERT_EQ(p->structures.size(), 2u);
  for (const auto& rule : p->structures) {
    ASSERT_EQ(rule.constraints.size(), 3u) << rule.name;
    const auto& cum = rule.constraints[0];
    EXPECT_EQ(cum.scope, LimitScope::cumulative);
    EXPECT_EQ(*cum.limit, 70);
    EXPECT_EQ(*cum.eqd2_alpha_beta_gy, 2);
    EXPECT_EQ(rule.constraints[1].scope, LimitScope::reirradiation_course);
    EXPECT_EQ(*rule.constraints[1].limit, 25);
    EXPECT_TRUE(rule.constraints[2].relative_to_cumulative);
    EXPECT_EQ(*rule.constraints[2].limit, 0.5);
    for (const auto& c : rule.constraints) EXPECT_NE(c.source.find("Sahgal 2012"), std::string::npos);
  }
}

TEST(ReirradiationProtocol, BadScopeAndRelativeToAreNamedWithTheirLine) {
  testing::ScratchDir dir;
  const std::string head = "protocol: t\nname: t\nversion: \"1\"\nsource: s\nstructures:\n  - name: Cord\n    constraints:\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"      - constraint: \"Max[Gy] <= 70\"\n        scope: course\n", "course"},
      {"      - constraint: \"Max[Gy] <= 0.5\"\n        relative_to: cumulative\n", "per_course"},
      {"      - constraint: \"Max[Gy] <= 70\"\n        eqd2_alpha_beta_gy: 0\n", "positive"},
  };
  for (const auto& [body, needle] : cases) {
    const auto file = dir / "t.yaml";
    std::ofstream(file) << head << body;
    auto p = load_protocol_file(file);
    ASSERT_FALSE(p) << body;
    EXPECT_NE(p.error().message().find("line 9"), std::string::npos) << p.error().message();
    EXPECT_NE(p.error().message().find(needle), std::string::npos) << p.error().message();
  }
}

}  // namespace
}  // namespace sbrtkit
