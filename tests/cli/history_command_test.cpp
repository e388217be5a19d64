// `sbrtkit history` end to end on the two-course patient (tests/support/history_patient.h): outputs,
// their DICOM conformance (dciodvfy), the JSON keys of the issue, and the exit codes of bad input.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sbrtkit/dicom/rtdose.h"
#include "support/cli_runner.h"
#include "support/dicom_fixtures.h"
#include "support/history_patient.h"

namespace sbrtkit {
namespace {

using testing::run_sbrtkit;

std::vector<std::string> dciodvfy_errors(const std::filesystem::path& file) {
  std::vector<std::string> errors;
  FILE* pipe = ::popen(("dciodvfy '" + file.string() + "' 2>&1").c_str(), "r");
  if (!pipe) return {"cannot run dciodvfy"};
  std::array<char, 4096> line{};
  while (std::fgets(line.data(), int(line.size()), pipe))
    if (std::string(line.data()).rfind("Error", 0) == 0) errors.emplace_back(line.data());
  ::pclose(pipe);
  return errors;
}

/// A small subset of JSON Schema, enough for docs/schemas/history.schema.json: required keys, no keys
/// outside `properties` where additionalProperties is false, types of objects and arrays, recursively.
void check_against_schema(const nlohmann::json& doc, const nlohmann::json& schema, const std::string& where) {
  if (schema.contains("required"))
    for (const auto& key : schema["required"]) EXPECT_TRUE(doc.contains(key.get<std::string>())) << where << "." << key;
  if (doc.is_object() && schema.contains("properties")) {
    for (const auto& [key, value] : doc.items()) {
      if (!schema["properties"].contains(key)) {
        EXPECT_TRUE(schema.value("additionalProperties", true)) << where << "." << key << " is not in the schema";
        continue;
      }
      check_against_schema(value, schema["properties"][key], where + "." + key);
    }
  }
  if (doc.is_array() && schema.contains("items") && schema["items"].is_object())
    for (std::size_t i = 0; i < doc.size(); ++i) check_against_schema(doc[i], schema["items"], where + "[" + std::to_string(i) + "]");
}

TEST(HistoryCommand, WritesTheOutputsOfTheIssue) {
  testing::ScratchDir dir;
  const auto truth = testing::write_history_patient(dir / "patient", {});
  const auto out = dir / "out";
  const auto r = run_sbrtkit({"history", (dir / "patient").string(), "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("SpinalCord"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL"), std::string::npos);  // 103.75 Gy2/2 > 70
  EXPECT_NE(r.err.find("history"), std::string::npos);  // progress lines (stderr is not a terminal)

  const auto doc = nlohmann::json::parse(testing::read_text(out / "history.json"));
  for (const char* key : {"schema", "reference", "courses", "studies", "structures", "limits", "lesions"})
    EXPECT_TRUE(doc.contains(key)) << key;
  EXPECT_EQ(doc["reference"]["plan_uid"], truth.plan2_uid);
  EXPECT_EQ(doc["reference"]["frame_of_reference_uid"], truth.frame2_uid);
  ASSERT_EQ(doc["courses"].size(), 2u);
  const auto& c1 = doc["courses"][0];
  EXPECT_EQ(c1["date"], "2024-01-01");
  EXPECT_EQ(c1["fractions"], 3);
  EXPECT_EQ(c1["registration"]["method"], "spatial registration");
  // to_reference: 4 x 4 row-major, last row 0 0 0 1, translation in the last column.
  ASSERT_EQ(c1["to_reference"].size(), 4u);
  EXPECT_NEAR(c1["to_reference"][0][3].get<double>(), 10, 1e-4);
  EXPECT_NEAR(c1["to_reference"][2][3].get<double>(), 20, 1e-4);
  EXPECT_EQ(c1["to_reference"][3][3].get<double>(), 1.0);
  EXPECT_TRUE(doc["lesions"].is_array() && doc["lesions"].empty());
  check_against_schema(doc,
                       nlohmann::json::parse(testing::read_text(std::filesystem::path(SBRTKIT_SOURCE_DIR) / "docs" /
                                                                "schemas" / "history.schema.json")),
                       "history.json");
  if (std::system("python3 -c 'import jsonschema' > /dev/null 2>&1") == 0) {  // the full validator when present
    const std::string cmd = "python3 -c \"import json,jsonschema,sys; jsonschema.validate(json.load(open(sys.argv[1])), "
                            "json.load(open(sys.argv[2])))\" '" + (out / "history.json").string() + "' '" +
                            SBRTKIT_SOURCE_DIR + "/docs/schemas/history.schema.json' 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  bool cord = false;
  for (const auto& s : doc["structures"])
    if (s["name"] == "SpinalCord") {
      cord = true;
      EXPECT_EQ(s["alpha_beta_gy"].get<double>(), 2.0);
      EXPECT_NEAR(s["cumulative_eqd2"]["max_gy"].get<double>(), 103.75, 1e-3);
      EXPECT_NEAR(s["cumulative_physical"]["d0_035cc_gy"].get<double>(), 49, 1e-3);
      EXPECT_EQ(s["per_course"].size(), 2u);
    }
  EXPECT_TRUE(cord);
  for (const auto& l : doc["limits"])
    for (const char* key : {"structure", "metric", "limit_gy", "value_gy", "passed", "source"}) EXPECT_TRUE(l.contains(key));

  const std::string csv = testing::read_text(out / "structures_cumulative.csv");
  EXPECT_EQ(csv.rfind("structure,roi_number,category,alpha_beta_gy,dose,", 0), 0u);
  EXPECT_NE(csv.find("SpinalCord,1,organ,2.00,cumulative,,,,49.000"), std::string::npos) << csv;

  // The accumulated doses read back as RTDOSE in the reference frame, MULTI_PLAN, naming both plans.
  for (const auto& [name, type, unused] : {std::tuple{"accumulated_physical.dcm", "PHYSICAL", 0},
                                        std::tuple{"accumulated_eqd2.dcm", "EFFECTIVE", 0}}) {
    auto d = read_rtdose(out / name);
    ASSERT_TRUE(d) << d.error().message();
    EXPECT_EQ(d->dose_type, type);
    EXPECT_EQ(d->summation_type, "MULTI_PLAN");
    EXPECT_EQ(d->frame_of_reference_uid, truth.frame2_uid);
    float m = 0;
    for (float v : d->dose.voxels) m = std::max(m, v);
    // Physical: 24 + 25 Gy where the fields overlap. EQD2: the largest a/b-2 voxel is the cord's 103.75.
    EXPECT_NEAR(m, std::string(type) == "PHYSICAL" ? 49.0 : 103.75, 1e-3) << name;
    (void)unused;
    if (std::system("command -v dciodvfy > /dev/null 2>&1") == 0) {
      const auto errors = dciodvfy_errors(out / name);
      std::string all;
      for (const auto& e : errors) all += e;
      EXPECT_TRUE(errors.empty()) << name << ":\n" << all;
    }
  }
  const std::string dump = [&] {
    std::string s;
    FILE* pipe = ::popen(("dcmdump +P 300c,0002 +P 300c,0006 '" + (out / "accumulated_eqd2.dcm").string() + "' 2>&1").c_str(), "r");
    std::array<char, 4096> line{};
    while (pipe && std::fgets(line.data(), int(line.size()), pipe)) s += line.data();
    if (pipe) ::pclose(pipe);
    return s;
  }();
  if (std::system("command -v dcmdump > /dev/null 2>&1") == 0) {
    EXPECT_NE(dump.find(truth.plan1_uid), std::string::npos) << dump;
    EXPECT_NE(dump.find(truth.plan2_uid), std::string::npos) << dump;
  }
}

TEST(HistoryCommand, LimitsFileWithAPassingCumulativeLimit) {
  testing::ScratchDir dir;
  testing::write_history_patient(dir / "patient", {});
  const auto limits = dir / "limits.yaml";
  std::ofstream(limits) << "protocol: test-cumulative\nname: test\nversion: \"1\"\nsource: hand\n"
                           "min_interval_between_courses:\n  months: 8\n  source: test\n"
                           "structures:\n  - name: SpinalCord\n    constraints:\n"
                           "      - constraint: \"Max[Gy] <= 110\"\n        scope: cumulative\n"
                           "        eqd2_alpha_beta_gy: 2\n        source: test limit\n";
  const auto r = run_sbrtkit({"history", (dir / "patient").string(), "--out", (dir / "out").string(), "--limits",
                              limits.string(), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(testing::read_text(dir / "out" / "history.json"));
  ASSERT_EQ(doc["limits"].size(), 1u);
  EXPECT_TRUE(doc["limits"][0]["passed"].get<bool>());
  EXPECT_NEAR(doc["limits"][0]["margin_gy"].get<double>(), 110 - 103.75, 1e-3);
  EXPECT_EQ(doc["limits"][0]["source"], "test limit");
  // 8 months from 2024-01-01 is 2024-09-01: the second course (2024-08-01) is 31 days early.
  ASSERT_EQ(doc["course_intervals"].size(), 1u);
  EXPECT_FALSE(doc["course_intervals"][0]["passed"].get<bool>());
  EXPECT_EQ(doc["course_intervals"][0]["margin_days"], -31);
}

TEST(HistoryCommand, BadInputExitsTwoAndWritesNothing) {
  testing::ScratchDir dir;
  testing::HistoryPatientOptions o;
  o.link = testing::FrameLink::ct_registration;
  o.write_course1_ct = false;
  testing::write_history_patient(dir / "patient", o);
  auto r = run_sbrtkit({"history", (dir / "patient").string(), "--out", (dir / "out").string(), "--quiet"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("rs1.dcm"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "history.json"));
  // An unknown a/b category: the file and line are named.
  const auto ab = dir / "ab.yaml";
  std::ofstream(ab) << "version: 1\nentries:\n  - category: nerve\n    alpha_beta_gy: 2\n    source: x\n"
                       "elsewhere:\n  alpha_beta_gy: 3\n";
  r = run_sbrtkit({"history", (dir / "patient").string(), "--out", (dir / "out").string(), "--alpha-beta", ab.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("ab.yaml"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nerve"), std::string::npos) << r.err;
  // A folder with no course at all.
  std::filesystem::create_directories(dir / "empty");
  r = run_sbrtkit({"history", (dir / "empty").string(), "--out", (dir / "out").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("RT course"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sbrtkit
