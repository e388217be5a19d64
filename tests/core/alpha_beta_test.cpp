// Alpha/beta assignment by structure name and type against the defaults of issue 14 (neural tissue
// 2 Gy, other organs 3 Gy, targets 10 Gy, elsewhere 3 Gy), the smallest-wins map where structures
// overlap (hand-painted voxels), and the shipped rules/alpha-beta-default.yaml saying what the code does.
#include "sbrtkit/alpha_beta.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace sbrtkit {
namespace {

Structure named(std::string name, std::string type = "") {
  Structure s;
  s.name = std::move(name);
  s.interpreted_type = std::move(type);
  return s;
}

TEST(AlphaBeta, NamesAndTypesGetTheIssueDefaults) {
  const AlphaBetaTable t = default_alpha_beta_table();
  ASSERT_TRUE(validate_alpha_beta_table(t));
  struct Case {
    const char* name;
    const char* type;
    double ab;
  } cases[] = {
      {"SpinalCord", "ORGAN", 2},     {"Spinal_Cord_PRV", "AVOIDANCE", 2}, {"Cord", "", 2},
      {"ThecalSac", "ORGAN", 2},      {"Cauda Equina", "ORGAN", 2},        {"CaudaEquina_PRV2", "", 2},
      {"BrainStem", "ORGAN", 2},      {"Sacral_Plexus_L", "ORGAN", 2},     {"PTV_L3", "PTV", 10},
      {"PTV_30Gy", "", 10},           {"GTV", "GTV", 10},                  {"ctv_node", "", 10},
      {"Bowel_Small", "ORGAN", 3},    {"Rectum", "", 3},                   {"Femur_Head_L", "ORGAN", 3},
  };
  for (const auto& c : cases) {
    auto a = assign_alpha_beta(named(c.name, c.type), t);
    ASSERT_TRUE(a.has_value()) << c.name;
    EXPECT_EQ(a->alpha_beta_gy, c.ab) << c.name << " via " << a->rule;
    EXPECT_FALSE(a->source.empty()) << c.name;
  }
  // The neural name rule wins over the target category even for a PTV-typed structure named after the cord.
  EXPECT_EQ(assign_alpha_beta(named("SpinalCord", "PTV"), t)->alpha_beta_gy, 2);
  // Structures that are not tissue of their own take no part.
  EXPECT_FALSE(assign_alpha_beta(named("BODY", "EXTERNAL"), t));
  EXPECT_FALSE(assign_alpha_beta(named("External", ""), t));
  EXPECT_FALSE(assign_alpha_beta(named("CouchSurface", "SUPPORT"), t));
  EXPECT_FALSE(assign_alpha_beta(named("Fiducial1", "MARKER"), t));
  EXPECT_EQ(t.elsewhere_gy, 3);
}

TEST(AlphaBeta, NamesAreNormalisedBeforeMatching) {
  EXPECT_EQ(normalised_structure_name("Spinal_Cord PRV-3"), "spinalcordprv3");
  // "cord*" is anchored: a name that only ends in "cord" needs the "*spinalcord*" entry.
  const AlphaBetaTable t = default_alpha_beta_table();
  EXPECT_EQ(assign_alpha_beta(named("SpinalCord"), t)->rule, "name *spinalcord*");
  EXPECT_EQ(assign_alpha_beta(named("Cord_PRV"), t)->rule, "name cord*");
  EXPECT_EQ(assign_alpha_beta(named("Discord"), t)->rule, "category organ");
}

TEST(AlphaBeta, ValidationNamesTheEntry) {
  AlphaBetaTable t = default_alpha_beta_table();
  t.entries[2].alpha_beta_gy = 0;
  auto s = validate_alpha_beta_table(t);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("entries[2].alpha_beta_gy"), std::string::npos) << s.error().message();
  t = default_alpha_beta_table();
  t.entries.push_back({{}, std::nullopt, 3, "x"});
  EXPECT_FALSE(validate_alpha_beta_table(t));
  t = default_alpha_beta_table();
  t.entries.push_back({{"__"}, std::nullopt, 3, "x"});  // nothing left after normalising
  EXPECT_FALSE(validate_alpha_beta_table(t));
  t = default_alpha_beta_table();
  t.elsewhere_gy = std::nan("");
  EXPECT_FALSE(validate_alpha_beta_table(t));
}

TEST(AlphaBetaMap, OverlapTakesTheSmallestValueElsewhereTheDefault) {
  // 4 x 1 x 1 grid. Cord occupies voxels 1 and 2 (voxel 2 only by 30%); the PTV occupies 2 and 3.
  const ImageGeometry g({4, 1, 1}, PatientPoint{0, 0, 0}, Vec3{2, 2, 2}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  LesionVoxels cord{{1, 2}, {1.0f, 0.3f}}, ptv{{2, 3}, {1.0f, 1.0f}};
  // Either order gives the same map.
  for (bool cord_first : {true, false}) {
    std::vector<RegionValue> regions = {{&cord, 2.0}, {&ptv, 10.0}};
    if (!cord_first) std::swap(regions[0], regions[1]);
    auto m = min_value_map(g, regions, 3.0);
    ASSERT_TRUE(m) << m.error().message();
    EXPECT_EQ(m->voxels, (std::vector<float>{3, 2, 2, 10}));
  }
  // With a 50% occupancy rule voxel 2 is the PTV's only.
  auto half = min_value_map(g, {{&cord, 2.0}, {&ptv, 10.0}}, 3.0, 0.5);
  ASSERT_TRUE(half);
  EXPECT_EQ(half->voxels, (std::vector<float>{3, 2, 10, 10}));
  // Bad input: a voxel index outside the grid, a null occupancy.
  LesionVoxels outside{{4}, {1.0f}};
  auto e = min_value_map(g, {{&outside, 2.0}}, 3.0);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("regions[0]"), std::string::npos);
  EXPECT_FALSE(min_value_map(g, {{nullptr, 2.0}}, 3.0));
}

std::string yaml_list(const std::vector<std::string>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", \"" : "\"") + v[i] + "\"";
  return s + "]";
}

TEST(AlphaBeta, ShippedRulesFileSaysWhatTheDefaultsAre) {
  std::ifstream in(std::string(SBRTKIT_SOURCE_DIR) + "/rules/alpha-beta-default.yaml");
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string file = ss.str();
  // Every entry, in the order the code applies them, written out as the file must hold it.
  const AlphaBetaTable t = default_alpha_beta_table();
  std::string entries = "entries:\n";
  auto num = [](double v) {
    std::ostringstream o;
    o << v;
    return o.str();
  };
  for (const auto& e : t.entries) {
    entries += e.category ? std::string("  - category: ") + category_name(*e.category) + "\n"
                          : "  - names: " + yaml_list(e.name_patterns) + "\n";
    entries += "    alpha_beta_gy: " + num(e.alpha_beta_gy) + "\n";
    entries += "    source: \"" + e.source + "\"\n";
  }
  EXPECT_NE(file.find(entries), std::string::npos) << "expected block:\n" << entries;
  const std::string elsewhere = "elsewhere:\n  alpha_beta_gy: " + num(t.elsewhere_gy) + "\n  source: \"" +
                                t.elsewhere_source + "\"\n";
  EXPECT_NE(file.find(elsewhere), std::string::npos) << "expected block:\n" << elsewhere;
}

}  // namespace
}  // namespace sbrtkit
