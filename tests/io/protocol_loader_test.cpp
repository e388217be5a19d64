// Protocol files through the shared YAML reader: strict numbers, patterns compiled at load, organ-limit
// includes without cycles, directories and oversized files refused before reading (issue 20 classes).
// Each error must name the file, the key and the line of the offending node.
#include "sbrtkit/io/protocol_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "io/yaml_reader.h"
#include "sbrtkit/io/response_rules_loader.h"
#include "support/cli_runner.h"  // TempDir

namespace sbrtkit {
namespace {

const std::string kHead = "protocol: t\nname: t\nversion: \"1\"\nsource: test\n";

std::filesystem::path write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file) << text;
  return file;
}

void expect_error_at(const Error& e, const std::filesystem::path& file, const std::string& key, int line,
                     const std::string& fragment) {
  const std::string m = e.message();
  EXPECT_NE(m.find(file.string()), std::string::npos) << m;
  EXPECT_NE(m.find("(" + key + ")"), std::string::npos) << m;
  EXPECT_NE(m.find("line " + std::to_string(line) + ","), std::string::npos) << m;
  EXPECT_NE(m.find(fragment), std::string::npos) << m;
}

TEST(ProtocolLoader, NumbersAreStrict) {
  testing::TempDir dir;
  // Line 6 holds the value in every case: the prescription's dose_gy.
  for (const char* bad : {"nan", ".nan", ".inf", "-.inf", "1e999", "12 Gy", "0x10", "+-3", "''"}) {
    SCOPED_TRACE(bad);
    const auto f = write(dir / "p.yaml", kHead + "prescription:\n  dose_gy: " + bad +
                                            "\nstructures:\n  - name: Cord\n    constraints: [\"Max[Gy] < 20\"]\n");
    auto p = load_protocol_file(f);
    ASSERT_FALSE(p);
    expect_error_at(p.error(), f, "dose_gy", 6, "a finite decimal number");
  }
  // A limit inside the constraint text goes through the same grammar.
  const auto f = write(dir / "limit.yaml", kHead + "structures:\n  - name: Cord\n    constraints: [\"Max[Gy] < nan\"]\n");
  auto p = load_protocol_file(f);
  ASSERT_FALSE(p);
  expect_error_at(p.error(), f, "constraint", 7, "'nan'");
  // And good numbers still read exactly.
  const auto g = write(dir / "good.yaml", kHead + "prescription:\n  dose_gy: +54.0\n"
                                                  "structures:\n  - name: Cord\n    constraints: [\"Max[Gy] < 1.5e1\"]\n");
  auto ok = load_protocol_file(g);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(*ok->prescription_gy, 54.0);
  EXPECT_EQ(*ok->structures[0].constraints[0].limit, 15.0);
}

TEST(ProtocolLoader, PatternsAreCompiledAtLoadAndBadOnesNameTheLine) {
  testing::TempDir dir;
  const auto good = write(dir / "good.yaml", kHead + "structures:\n  - name: SpinalCord\n"
                                                     "    patterns: [\"spinal.?cord\", \"(a+)+$\"]\n"
                                                     "    constraints: [\"Max[Gy] < 20\"]\n");
  auto p = load_protocol_file(good);
  ASSERT_TRUE(p) << p.error().message();
  ASSERT_EQ(p->structures[0].patterns.size(), 2u);
  Structure s;
  s.name = "Spinal_Cord";
  EXPECT_EQ(match_rule(p->structures[0], s), "pattern 'spinal.?cord'");
  s.name = std::string(60, 'a') + "!";  // would take std::regex years on (a+)+$
  EXPECT_FALSE(match_rule(p->structures[0], s));
  // The second list item on its own line: the error points at that item, not at the list.
  const auto bad = write(dir / "bad.yaml", kHead + "structures:\n  - name: SpinalCord\n    patterns:\n"
                                                   "      - \"spinal.?cord\"\n      - \"(cord\"\n"
                                                   "    constraints: [\"Max[Gy] < 20\"]\n");
  auto e = load_protocol_file(bad);
  ASSERT_FALSE(e);
  expect_error_at(e.error(), bad, "patterns", 9, "(cord");
  const auto backref = write(dir / "backref.yaml", kHead + "structures:\n  - name: X\n    patterns: [\"(a)\\\\1\"]\n"
                                                           "    constraints: [\"Max[Gy] < 20\"]\n");
  auto b = load_protocol_file(backref);
  ASSERT_FALSE(b);
  expect_error_at(b.error(), backref, "patterns", 7, "back-reference");
}

TEST(ProtocolLoader, OrganLimitsThatReferToThemselvesOrEachOtherAreACycle) {
  testing::TempDir dir;
  const std::string rules = "structures:\n  - name: Cord\n    constraints: [\"Max[Gy] < 20\"]\n";
  // Line 5: the organ_limits entry.
  const auto self = write(dir / "self.yaml", kHead + "organ_limits:\n  3: self\n" + rules);
  auto s = load_protocol_file(self);
  ASSERT_FALSE(s);
  expect_error_at(s.error(), self, "organ_limits", 6, "a cycle: self.yaml -> self.yaml");
  write(dir / "a.yaml", kHead + "organ_limits:\n  3: b\n" + rules);
  write(dir / "b.yaml", kHead + "organ_limits:\n  3: a.yaml\n" + rules);
  auto a = load_protocol_file(dir / "a.yaml");
  ASSERT_FALSE(a);
  // Found while reading b.yaml (its line 6), which a.yaml includes at its line 6.
  expect_error_at(a.error(), dir / "b.yaml", "organ_limits", 6, "a cycle: a.yaml -> b.yaml -> a.yaml");
  EXPECT_NE(a.error().message().find("included by " + (dir / "a.yaml").string()), std::string::npos)
      << a.error().message();
  // A plain include still works.
  write(dir / "limits.yaml", kHead + rules);
  const auto top = write(dir / "top.yaml", kHead + "organ_limits:\n  3: limits\n");
  auto t = load_protocol_file(top);
  ASSERT_TRUE(t) << t.error().message();
  ASSERT_EQ(t->by_fractions.size(), 1u);
  EXPECT_EQ(t->by_fractions[0].structures.size(), 1u);
}

TEST(ProtocolLoader, ADirectoryOrAnOversizedFileIsAClearError) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir / "folder.yaml");
  for (const auto& e : {load_protocol_file(dir / "folder.yaml").error(), load_protocol((dir / "folder.yaml").string()).error(),
                        load_response_rules(dir / "folder.yaml").error()}) {
    EXPECT_EQ(e.code, ErrorCode::io);
    EXPECT_NE(e.message().find((dir / "folder.yaml").string()), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("directory"), std::string::npos) << e.message();
  }
  // 50 MB (sparse: no disk used): refused from its size, before yaml-cpp builds a tree of > 4 GiB.
  const auto big = dir / "big.yaml";
  std::ofstream(big) << kHead;
  std::filesystem::resize_file(big, 50u * 1024u * 1024u);
  auto p = load_protocol_file(big);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message().find(std::to_string(detail::kMaxYamlBytes) + " bytes"), std::string::npos)
      << p.error().message();
  auto r = load_response_rules(big);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find(big.string()), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace sbrtkit
