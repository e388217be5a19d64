// `sbrtkit history`: the patient over every course (dose side: frames, accumulation, cumulative limits).
#include "history_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "io/output_file.h"
#include "progress_bar.h"
#include "sbrtkit/io/response_rules_loader.h"
#include "sbrtkit/pipelines/history.h"
#include "sbrtkit/pipelines/history_lesions.h"
#include "sbrtkit/report/history_lesions_output.h"
#include "sbrtkit/report/history_output.h"

namespace sbrtkit::cli {
namespace {

struct HistoryArguments {
  std::string patient_dir, out_dir, reference, alpha_beta, limits, rules;
  bool no_limits = false, quiet = false;
  double poor_correlation = 0.8;
};

int run(const HistoryArguments& a) {
  HistoryRequest r;
  r.patient_dir = a.patient_dir;
  if (!a.reference.empty()) r.reference_plan_uid = a.reference;
  if (!a.alpha_beta.empty()) r.alpha_beta_file = a.alpha_beta;
  if (!a.limits.empty()) r.limits = a.limits;
  r.no_limits = a.no_limits;
  r.poor_registration_correlation = a.poor_correlation;
  ProgressBar bar(stderr, is_terminal(stderr), "history");
  if (!a.quiet) r.progress = [&bar](const std::string& stage, std::size_t done, std::size_t total) {
    bar.update_step(stage, done, total);
  };
  ResponseRuleSet rules;  // built-in defaults = rules/response-default.yaml
  if (!a.rules.empty()) {
    auto loaded = load_response_rules(a.rules, rules);
    if (!loaded) return report_error("history", loaded.error());
    rules = std::move(*loaded);
  }
  auto rep = run_history(r);
  if (!rep) {
    bar.finish();
    return report_error("history", rep.error());
  }
  // The lesion side: every placed PET study segmented, chained, outcomes per course.
  if (!a.quiet) bar.update_step("lesions: segmenting the PET studies and chaining them", 0, 1);
  auto lesions = run_history_lesions(history_lesions_request(*rep, rules));
  bar.finish();
  if (!lesions) return report_error("history", lesions.error());

  // Everything is computed: now the outputs, each written whole (atomically).
  const std::filesystem::path out(a.out_dir);
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) return report_error("history", Error::io(out.string(), "cannot create the output folder: " + ec.message()));
  if (auto s = write_file_atomically(out / "history.json", format_history_json_with_lesions(*rep, *lesions)); !s)
    return report_error("history", s.error());
  if (auto s = write_file_atomically(out / "lesions_history.csv", format_lesions_history_csv(*lesions)); !s)
    return report_error("history", s.error());
  if (auto s = write_file_atomically(out / "structures_cumulative.csv", format_structures_cumulative_csv(*rep)); !s)
    return report_error("history", s.error());
  if (auto s = write_accumulated_rtdose(out / "accumulated_physical.dcm", *rep, false); !s)
    return report_error("history", s.error());
  if (auto s = write_accumulated_rtdose(out / "accumulated_eqd2.dcm", *rep, true); !s)
    return report_error("history", s.error());

  for (const auto& w : rep->warnings) std::fprintf(stderr, "sbrtkit history: warning: %s\n", w.c_str());
  for (const auto& w : lesions->warnings) std::fprintf(stderr, "sbrtkit history: warning: %s\n", w.c_str());
  for (const auto& n : rep->notes) std::printf("  note: %s\n", n.c_str());
  for (const auto& n : lesions->notes) std::printf("  note: %s\n", n.c_str());
  std::fputs(format_history_summary(*rep).c_str(), stdout);
  std::fputs(format_history_lesions_summary(*lesions).c_str(), stdout);
  std::size_t failed = 0;
  for (const auto& l : rep->limits) failed += l.passed && !*l.passed;
  for (const auto& i : rep->intervals) failed += !i.passed;
  std::printf("sbrtkit history: %zu course%s, %zu stud%s, %zu limit%s failed; %.1f s; outputs in %s\n",
              rep->courses.size(), rep->courses.size() == 1 ? "" : "s", rep->studies.size(),
              rep->studies.size() == 1 ? "y" : "ies", failed, failed == 1 ? "" : "s", rep->seconds + lesions->seconds, out.string().c_str());
  return kExitOk;
}

}  // namespace

void add_history_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<HistoryArguments>();
  CLI::App* cmd = app.add_subcommand("history", "The patient over every course: cumulative dose (physical, EQD2) and "
                                                "re-irradiation limits");
  cmd->add_option("PATIENT_DIR", a->patient_dir, "folder with every course (RTPLAN, RTDOSE, RTSTRUCT, CT) and PET/CT "
                                                 "study of one patient, any layout")
      ->required();
  cmd->add_option("--out", a->out_dir,
                  "output folder (history.json, structures_cumulative.csv, lesions_history.csv, "
                  "accumulated_physical.dcm, accumulated_eqd2.dcm)")
      ->required();
  cmd->add_option("--reference", a->reference, "RTPLAN SOP instance UID of the reference course (default: the latest)");
  cmd->add_option("--alpha-beta", a->alpha_beta,
                  "alpha/beta rules (YAML, as rules/alpha-beta-default.yaml; default: the built-in table)");
  cmd->add_option("--limits", a->limits, "limits protocol (id or file; default: reirradiation-spine)");
  cmd->add_flag("--no-limits", a->no_limits, "judge no limits");
  cmd->add_option("--poor-registration", a->poor_correlation,
                  "CT-to-CT correlation below which a registration is reported as poor")
      ->capture_default_str();
  cmd->add_option("--rules", a->rules,
                  "lesion matching, response and segmentation rules (YAML; default: rules/response-default.yaml)");
  cmd->add_flag("--quiet", a->quiet, "no progress bar");
  cmd->callback([a, &exit_code] { exit_code = run(*a); });
}

}  // namespace sbrtkit::cli
