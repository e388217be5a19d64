// `sbrtkit check` and `sbrtkit protocols` end to end: the sample patient gives exactly the failures its
// ground truth was built to have; a missing required structure fails the check (exit 1); a plan in a
// different number of fractions is compared in EQD2 (numbers by hand); protocol typos are rejected with
// file, line and reason (exit 2).

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "sbrtkit/dicom/rt_writer.h"
#include "support/analytic_phantom.h"
#include "support/cached_output.h"
#include "support/cli_runner.h"

namespace sbrtkit {
namespace {

using nlohmann::json;
using testing::DoseModel;
using testing::Gradient;
using testing::run_sbrtkit;
using testing::Shape;
using testing::Solid;
using testing::TempDir;

/// The small sample patient (shared read-only by the test processes of the build), and a folder for outputs.
class SamplePatient : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    ASSERT_FALSE(testing::shared_small_patient().empty()) << "the sample patient could not be generated";
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::filesystem::path patient() { return testing::shared_small_patient(); }
  static TempDir* dir_;
};
TempDir* SamplePatient::dir_ = nullptr;

/// (structure, metric) of every failing constraint the ground truth lists.
std::set<std::pair<std::string, std::string>> expected_failures(const std::filesystem::path& patient) {
  const json truth = json::parse(testing::read_text(patient / "ground_truth.json"));
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& c : truth["constraints"])
    if (!c["expected_pass"].get<bool>()) out.insert({c["structure"].get<std::string>(), c["metric"].get<std::string>()});
  return out;
}

TEST_F(SamplePatient, Tg101ThreeFractionsFindsExactlyTheBuiltInFailures) {
  const auto r = run_sbrtkit({"check", (patient() / "planning").string(), "--protocol", "tg101-3fx", "--format", "json"});
  const json report = json::parse(r.out);
  const auto expected = expected_failures(patient());
  ASSERT_FALSE(expected.empty());  // the patient is built with at least one violation
  std::set<std::pair<std::string, std::string>> failed;
  for (const auto& row : report["rows"]) {
    const std::string result = row["result"];
    if (result == "major" || result == "minor")
      failed.insert({row["structure"].get<std::string>(), row["metric"].get<std::string>()});
  }
  EXPECT_EQ(failed, expected);
  EXPECT_EQ(r.exit_code, 1);  // a TG-101 limit exceeded is a major deviation
  EXPECT_EQ(report["summary"]["result"], "major");
  // Every constraint of the ground truth was evaluated (value present) and agrees with it in pass / fail.
  const json truth = json::parse(testing::read_text(patient() / "ground_truth.json"));
  for (const auto& c : truth["constraints"]) {
    bool found = false;
    for (const auto& row : report["rows"])
      if (row["structure"] == c["structure"] && row["metric"] == c["metric"]) {
        found = true;
        EXPECT_FALSE(row["value"].is_null()) << c["structure"] << " " << c["metric"];
      }
    EXPECT_TRUE(found) << c["structure"] << " " << c["metric"];
  }
}

TEST_F(SamplePatient, MdtOmpcUsesTheThreeFractionOrganLimitsAndPerTargetPrescriptions) {
  const auto r = run_sbrtkit({"check", (patient() / "planning").string(), "--protocol", "mdt-ompc", "--format", "json"});
  ASSERT_NE(r.exit_code, 2) << r.err;
  const json report = json::parse(r.out);
  std::set<std::pair<std::string, std::string>> organ_failures;
  std::map<std::string, double> rx;
  for (const auto& row : report["rows"]) {
    const std::string result = row["result"];
    if (row["role"] == "organ" && (result == "major" || result == "minor"))
      organ_failures.insert({row["structure"].get<std::string>(), row["metric"].get<std::string>()});
    if (row["role"] == "target") {
      EXPECT_EQ(row["from"], "mdt-ompc");
      rx[row["structure"].get<std::string>()] = row["prescription_gy"].get<double>();
    } else if (!row["structure"].is_null()) {
      EXPECT_EQ(row["from"], "tg101-3fx");
    }
  }
  EXPECT_EQ(organ_failures, expected_failures(patient()));
  // Each PTV against its own RTPLAN prescription (ground_truth.json targets).
  const json truth = json::parse(testing::read_text(patient() / "ground_truth.json"));
  ASSERT_EQ(rx.size(), truth["targets"].size());
  for (const auto& t : truth["targets"]) EXPECT_EQ(rx[t["ptv"].get<std::string>()], t["prescription_gy"].get<double>());
  EXPECT_NE(report["attribution"].get<std::string>().find("nearest target surface"), std::string::npos);
}

TEST_F(SamplePatient, QaReportsEveryTargetWithItsOwnPrescription) {
  const auto r = run_sbrtkit({"qa", (patient() / "planning").string(), "--alpha-beta", "10", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json report = json::parse(r.out);
  const json truth = json::parse(testing::read_text(patient() / "ground_truth.json"));
  ASSERT_EQ(report["targets"].size(), truth["targets"].size());
  for (std::size_t i = 0; i < truth["targets"].size(); ++i) {
    const json& t = report["targets"][i];
    EXPECT_EQ(t["name"], truth["targets"][i]["ptv"]);
    EXPECT_EQ(t["prescription_gy"], truth["targets"][i]["prescription_gy"]);
    // Volumes are those of the exported contour stacks (the DVH engine's tolerance, 1%).
    EXPECT_NEAR(t["tv_cc"].get<double>(), truth["targets"][i]["ptv_volume_cc"].get<double>(),
                0.01 * truth["targets"][i]["ptv_volume_cc"].get<double>());
    // Consistency of the indices with their definitions.
    EXPECT_NEAR(t["rtog_ci"].get<double>(), t["piv_cc"].get<double>() / t["tv_cc"].get<double>(), 1e-9);
    EXPECT_NEAR(t["gradient_index"].get<double>(), t["piv50_cc"].get<double>() / t["piv_cc"].get<double>(), 1e-9);
    // EQD2 of the prescription by hand: 3 fractions, a/b 10: Rx (Rx/3 + 10) / 12.
    const double rx = t["prescription_gy"];
    EXPECT_NEAR(t["radiobiology"]["rx_eqd2_gy"].get<double>(), rx * (rx / 3 + 10) / 12, 1e-9);
  }
}

// ---- Analytic plans written as DICOM ----

struct Plan {
  std::filesystem::path rtstruct, rtdose, rtplan;
};

/// A cord-like cylinder (R 5 mm, 40 mm long along z) in a z gradient of 0.25 Gy/mm around 15 Gy, so its
/// dose is uniformly distributed on [10, 20] Gy, inside a BODY cylinder; an RTPLAN in `fractions`.
Plan write_cord_plan(const std::filesystem::path& dir, int fractions) {
  PatientStudy study;
  study.uid_seed = "check-test";
  const Solid cord{Shape::cylinder, 5, 40, {0, 0, 0}};
  const Solid body{Shape::cylinder, 20, 60, {0, 0, 0}};
  StructureSet set;
  set.structures.push_back(testing::contour_solid(body, 2, 1, "BODY"));
  set.structures.back().interpreted_type = "EXTERNAL";
  set.structures.push_back(testing::contour_solid(cord, 1, 2, "SpinalCord"));
  set.structures.back().interpreted_type = "ORGAN";
  Plan p{dir / "RS.dcm", dir / "RD.dcm", dir / "RP.dcm"};
  auto ss_uid = write_rtstruct(p.rtstruct, study, set, {});
  EXPECT_TRUE(ss_uid);
  PlanInfo plan;
  plan.label = "CORD";
  plan.fractions = fractions;
  plan.referenced_structure_set_uid = *ss_uid;
  auto plan_uid = write_rtplan(p.rtplan, study, plan);
  EXPECT_TRUE(plan_uid);
  RtDoseWriteOptions options;
  options.referenced_plan_uid = *plan_uid;
  EXPECT_TRUE(write_rtdose(p.rtdose, study,
                           testing::make_dose_grid(body, DoseModel{Gradient::along_z, 15, 0.25, {0, 0, 0}}, 1, 0.5, 2),
                           options));
  return p;
}

std::filesystem::path write_text(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file) << text;
  return file;
}

const char* kCordProtocol = R"(protocol: cord-3fx
name: Cord limits written for 3 fractions
version: "1"
source: test
fractions: [3]
eqd2:
  alpha_beta_gy: 3
  reference_fractions: 3
structures:
  - name: SpinalCord
    role: organ
    alpha_beta_gy: 2
    constraints:
      - "Max[Gy] < 21.9"
      - "D0.35cc[Gy] < 18"
      - "Mean[Gy] < 10"
      - "V15Gy[cc] < 1"
)";

json row_for(const json& report, const std::string& metric) {
  for (const auto& row : report["rows"])
    if (row["metric"] == metric) return row;
  ADD_FAILURE() << "no row " << metric;
  return {};
}

TEST(CheckCommand, DifferentFractionationIsComparedInEqd2VoxelByVoxel) {
  TempDir dir;
  const Plan p = write_cord_plan(dir.path(), 5);
  const auto protocol = write_text(dir / "cord.yaml", kCordProtocol);
  const auto r = run_sbrtkit({"check", "--rtstruct", p.rtstruct, "--rtdose", p.rtdose, "--rtplan", p.rtplan, "--protocol",
                              protocol, "--format", "json"});
  ASSERT_NE(r.exit_code, 2) << r.err;
  const json report = json::parse(r.out);
  EXPECT_EQ(report["eqd2"]["reference_fractions"], 3);
  // Plan: 5 fx, cord a/b 2 Gy; EQD2 = D (D/5 + 2) / 4. Protocol limits for 3 fx: L (L/3 + 2) / 4.
  // Max: 20 Gy -> 20 (4 + 2) / 4 = 30 Gy; limit 21.9 -> 21.9 (7.3 + 2) / 4 = 50.9175 Gy.
  const json max = row_for(report, "Max[Gy]");
  EXPECT_TRUE(max["eqd2"].get<bool>());
  EXPECT_NEAR(max["value"].get<double>(), 30, 0.01);
  EXPECT_NEAR(max["limit"].get<double>(), 50.9175, 1e-9);
  EXPECT_EQ(max["result"], "pass");
  // D0.35cc: the hottest 0.35 cc of a 3.1416 cc cylinder with dose uniform on [10, 20] starts at
  // 20 - 10 x 0.35 / 3.1416 = 18.886 Gy -> EQD2 18.886 (3.7772 + 2) / 4 = 27.277 Gy; limit 18 -> 36 Gy.
  const json d035 = row_for(report, "D0.35cc[Gy]");
  EXPECT_NEAR(d035["value"].get<double>(), 27.277, 0.03);
  EXPECT_NEAR(d035["limit"].get<double>(), 36, 1e-9);
  // Mean, voxel by voxel: (E[D^2]/5 + 2 E[D]) / 4 with E[D] = 15, E[D^2] = 700/3: 19.1667 Gy (the EQD2 of
  // the mean dose would be 18.75). Limit 10 Gy in 3 fx -> 10 (10/3 + 2) / 4 = 13.333 Gy: a major deviation.
  const json mean = row_for(report, "Mean[Gy]");
  EXPECT_NEAR(mean["value"].get<double>(), 19.1667, 0.02);
  EXPECT_NEAR(mean["limit"].get<double>(), 13.3333, 1e-3);
  EXPECT_EQ(mean["result"], "major");
  // V15Gy in 3 fx is the level 26.25 Gy EQD2, reached at D^2 + 10 D - 525 = 0, D = 18.452 Gy physical in
  // 5 fx: (20 - 18.452) / 10 x 3.1416 = 0.4863 cc < 1 cc (physically V15Gy would be 1.571 cc, a failure).
  const json v15 = row_for(report, "V15Gy[cc]");
  EXPECT_NEAR(v15["value"].get<double>(), 0.4863, 0.005);
  EXPECT_EQ(v15["result"], "pass");
  EXPECT_EQ(r.exit_code, 1);  // the mean is a major deviation
}

TEST(CheckCommand, FractionationMismatchWithoutEqd2IsAnInputError) {
  TempDir dir;
  const Plan p = write_cord_plan(dir.path(), 5);
  const auto r = run_sbrtkit({"check", "--rtstruct", p.rtstruct, "--rtdose", p.rtdose, "--rtplan", p.rtplan, "--protocol",
                              "tg101-3fx"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("applies to 3 fraction"), std::string::npos) << r.err;
  // Same plan with the matching TG-101 table: max 20 Gy < 30 Gy passes, but D1.2cc = 20 - 10 x 1.2 / 3.1416
  // = 16.18 Gy exceeds 14.5 Gy: a major deviation, exit 1.
  const auto five = run_sbrtkit({"check", "--rtstruct", p.rtstruct, "--rtdose", p.rtdose, "--rtplan", p.rtplan,
                                 "--protocol", "tg101-5fx", "--format", "csv"});
  EXPECT_EQ(five.exit_code, 1) << five.err << five.out;
  EXPECT_EQ(five.out.rfind("structure,roi_number,protocol_structure,from,metric,value", 0), 0u);
  EXPECT_NE(five.out.find("SpinalCord,2,SpinalCord,tg101-5fx,D1.2cc[Gy],16.1"), std::string::npos) << five.out;
}

TEST(CheckCommand, MissingRequiredStructureFailsTheCheck) {
  TempDir dir;
  const Plan p = write_cord_plan(dir.path(), 3);
  const auto out = dir / "report.json";
  const auto r = run_sbrtkit({"check", "--rtstruct", p.rtstruct, "--rtdose", p.rtdose, "--rtplan", p.rtplan, "--protocol",
                              "mdt-ompc", "--format", "json", "-o", out.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const json report = json::parse(testing::read_text(out));
  EXPECT_EQ(report["summary"]["result"], "major");
  EXPECT_EQ(report["summary"]["missing_required"], json::array({"PTV"}));
  // Besides the missing PTV, the cord (10-20 Gy) exceeds the 3 fx D0.35cc (18.9 > 18) and D1.2cc limits.
  EXPECT_EQ(report["summary"]["major"], 2);
  for (const auto& row : report["rows"])
    if (row["protocol_structure"] == "PTV") EXPECT_EQ(row["reason"], "required structure missing");
}

struct BadProtocol {
  std::string name, text;
  int line;
  std::string reason;
};

TEST(CheckCommand, ProtocolTyposAreRejectedWithFileLineAndReason) {
  const std::string head = "protocol: t\nname: t\nversion: \"1\"\nsource: test\nstructures:\n  - name: SpinalCord\n";
  const std::vector<BadProtocol> cases = {
      {"unknown key", head + "    constrains:\n      - \"Max[Gy] < 20\"\n", 7, "unknown key 'constrains'"},
      {"bad metric", head + "    constraints:\n      - \"D0.35cx[Gy] < 18\"\n", 8, "D0.35cx[Gy]"},
      {"bad number", head + "    constraints:\n      - constraint: \"Max[Gy] < 2O\"\n", 8, "'2O'"},
      {"bad minor limit", head + "    constraints:\n      - constraint: \"Max[Gy] < 20\"\n        minor_limit: 2x\n", 9,
       "'2x'"},
      {"top-level typo", "protocol: t\nnmae: t\n", 2, "unknown key 'nmae'"},
      {"bad regex", head + "    patterns: [\"(cord\"]\n    constraints: [\"Max[Gy] < 20\"]\n", 7, "(cord"},
  };
  TempDir dir;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto file = write_text(dir / (c.name + ".yaml"), c.text);
    const auto r = run_sbrtkit({"protocols", "show", file.string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(file.string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("line " + std::to_string(c.line) + ","), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.reason), std::string::npos) << r.err;
    // The same file given to check fails before any DICOM is read.
    const auto check = run_sbrtkit({"check", "--rtstruct", "none.dcm", "--rtdose", "none.dcm", "--protocol", file.string()});
    EXPECT_EQ(check.exit_code, 2);
    EXPECT_NE(check.err.find("line " + std::to_string(c.line) + ","), std::string::npos) << check.err;
  }
}

// Issue 20 protocol classes end to end: a directory (was SIGABRT), organ limits naming themselves (was
// SIGSEGV), an ROI pattern with catastrophic backtracking (was a hang): exit 2, or an answer at once.
TEST(CheckCommand, ProtocolDirectoriesCyclesAndPathologicalPatterns) {
  TempDir dir;
  std::filesystem::create_directory(dir / "protocol_dir");
  for (const auto& sub : {"check", "protocols"}) {
    std::vector<std::string> args = std::string(sub) == "check"
                                        ? std::vector<std::string>{"check", "--rtstruct", "none.dcm", "--rtdose",
                                                                   "none.dcm", "--protocol", (dir / "protocol_dir").string()}
                                        : std::vector<std::string>{"protocols", "show", (dir / "protocol_dir").string()};
    const auto r = run_sbrtkit(args);
    EXPECT_EQ(r.exit_code, 2) << sub << ": " << r.err;
    EXPECT_NE(r.err.find("directory"), std::string::npos) << r.err;
  }
  const std::string head = "protocol: t\nname: t\nversion: \"1\"\nsource: test\n";
  const auto self = write_text(dir / "self.yaml", head + "organ_limits:\n  3: self\n");
  const auto cycle = run_sbrtkit({"protocols", "show", self.string()});
  EXPECT_EQ(cycle.exit_code, 2);
  EXPECT_NE(cycle.err.find("line 6, column"), std::string::npos) << cycle.err;
  EXPECT_NE(cycle.err.find("a cycle"), std::string::npos) << cycle.err;
  const auto slow = write_text(dir / "slow.yaml", head + "structures:\n  - name: X\n    patterns: [\"(a+)+$\", \"(.*)*x\"]\n"
                                                      "    constraints: [\"Max[Gy] < 20\"]\n");
  const auto shown = run_sbrtkit({"protocols", "show", slow.string()});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
}

TEST(ProtocolsCommand, ListsAndShowsTheBundledProtocols) {
  const auto list = run_sbrtkit({"protocols"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  for (const char* id : {"tg101-1fx", "tg101-3fx", "tg101-5fx", "rtog0915-spillage", "mdt-ompc"})
    EXPECT_NE(list.out.find(id), std::string::npos) << id;
  const auto show = run_sbrtkit({"protocols", "show", "tg101-1fx"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("D0.35cc[Gy] < 10"), std::string::npos);
  EXPECT_NE(show.out.find("[unconfirmed]"), std::string::npos);  // e.g. the 1 fx bladder wall row
  const auto unknown = run_sbrtkit({"protocols", "show", "tg102"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("tg101-3fx"), std::string::npos) << unknown.err;  // lists what exists
}

}  // namespace
}  // namespace sbrtkit
