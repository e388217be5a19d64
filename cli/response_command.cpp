#include "response_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "progress_bar.h"
#include "io/output_file.h"
#include "sbrtkit/pipelines/lesion_exports.h"
#include "sbrtkit/pipelines/response_report.h"
#include "sbrtkit/report/response_output.h"
#include "sbrtkit/io/response_rules_loader.h"

namespace sbrtkit::cli {
namespace {

struct ResponseArguments {
  PlanFolderArguments plan;
  std::string baseline, followup, baseline_ct, followup_ct, registration = "auto", rules, out_dir;
  bool no_seg = false, serial = false;
};

int run(const ResponseArguments& a) {
  ResponseRequest r;
  auto plan_dir = a.plan.resolve();
  if (!plan_dir) return report_error("response", plan_dir.error());
  r.plan_dir = *plan_dir;
  if (!a.plan.plan_uid.empty()) r.plan_uid = a.plan.plan_uid;
  r.baseline_pet_dir = a.baseline;
  r.followup_pet_dir = a.followup;
  if (!a.baseline_ct.empty()) r.baseline_ct_dir = a.baseline_ct;
  if (!a.followup_ct.empty()) r.followup_ct_dir = a.followup_ct;
  r.registration = parse_registration_choice(a.registration);
  r.parallel = !a.serial;
  if (!a.rules.empty()) {
    auto loaded = load_response_rules(a.rules, {r.rules, r.segmentation});
    if (!loaded) return report_error("response", loaded.error());
    r.rules = std::move(loaded->rules);
    r.segmentation = std::move(loaded->segmentation);
  }

  StageProgress progress(stderr, is_terminal(stderr), "response");
  r.on_stage = [&progress](const std::string& s) { progress.stage(s); };
  auto rep = run_response(r);
  progress.finish();
  if (!rep) return report_error("response", rep.error());
  const std::filesystem::path out(a.out_dir);
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) return report_error("response", Error::io(out.string(), "cannot create the output folder: " + ec.message()));
  if (auto s = write_file_atomically(out / "response.csv", format_response_csv(*rep)); !s)
    return report_error("response", s.error());
  if (auto s = write_file_atomically(out / "response.json", format_response_json(*rep)); !s)
    return report_error("response", s.error());
  if (auto s = write_status_label_map_nrrd(out / "response_labels.nrrd", *rep); !s)
    return report_error("response", s.error());
  if (auto s = write_status_mip_png(out / "response_mip.png", *rep); !s) return report_error("response", s.error());
  if (auto s = write_status_vtp(out / "response_lesions.vtp", *rep); !s) return report_error("response", s.error());
  if (!a.no_seg && !rep->assessment.lesions.empty())
    if (auto s = write_status_seg(out / "response_seg.dcm", *rep); !s) return report_error("response", s.error());
  for (auto exported : {export_followup_lesions_rtstruct(out / "followup_lesions_rtstruct.dcm", r.plan_dir, *rep),
                        export_response_registration(out / "registration.dcm", r.plan_dir, *rep)}) {
    if (!exported) return report_error("response", exported.error());
    for (const auto& n : *exported) std::fprintf(stderr, "sbrtkit response: note: %s\n", n.c_str());
  }

  for (const auto& w : rep->warnings) std::fprintf(stderr, "sbrtkit response: warning: %s\n", w.c_str());
  for (const auto& line : rep->rules_text) std::printf("  %s\n", line.c_str());
  for (const auto& n : rep->notes) std::printf("  note: %s\n", n.c_str());
  std::printf("  %-4s %-4s %-26s %-12s %-9s %8s %8s %9s %9s  %s\n", "FU", "BL", "status", "change", "treated", "SUVpk BL",
              "SUVpk FU", "dSUVpk %", "vol FU cc", "location rule / notes");
  for (const auto& l : rep->assessment.lesions) {
    const ResponseLesion* b = l.baseline ? &rep->baseline.lesions[*l.baseline] : nullptr;
    const ResponseLesion* f = l.followup ? &rep->followup.lesions[*l.followup] : nullptr;
    std::string tail = l.location_rule;
    for (const auto& n : l.notes) tail += (tail.empty() ? "" : "; ") + n;
    std::printf("  %-4s %-4s %-26s %-12s %-9s %8s %8s %9s %9s  %s\n", f ? f->name.c_str() : "-",
                b ? b->name.c_str() : "-", status_name(l.status), change_name(l.change), l.treated ? "treated" : "-",
                b ? fmt::format("{:.2f}", b->suv_peak).c_str() : "", f ? fmt::format("{:.2f}", f->suv_peak).c_str() : "",
                l.uptake_change_pct ? fmt::format("{:+.0f}", *l.uptake_change_pct).c_str() : "",
                f ? fmt::format("{:.2f}", f->volume_cc).c_str() : "", tail.c_str());
  }
  const auto& p = rep->assessment.patient;
  std::printf("sbrtkit response: %d progressing, %d new; %s; %s; RECIP 1.0 %s (%s); %.1f s; outputs in %s\n",
              p.progressing, p.new_lesions, p.oligo_call.c_str(), p.ppp_call.c_str(), recip_name(p.recip),
              p.recip_call.c_str(), rep->seconds, out.string().c_str());
  return kExitOk;
}

}  // namespace

void add_response_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<ResponseArguments>();
  CLI::App* cmd = app.add_subcommand("response", "Treated-versus-progressing lesion map between two PET studies");
  add_plan_folder_options(cmd, a->plan);
  cmd->add_option("--baseline", a->baseline, "folder with the baseline PET series")->required();
  cmd->add_option("--followup", a->followup, "folder with the follow-up PET series")->required();
  cmd->add_option("--baseline-ct", a->baseline_ct, "CT of the baseline PET study (default: next to --baseline)");
  cmd->add_option("--followup-ct", a->followup_ct, "CT of the follow-up PET study (default: next to --followup)");
  cmd->add_option("--registration", a->registration,
                  "auto (same FoR / spatial registration / rigid), none, rigid, or a Spatial Registration file")
      ->capture_default_str();
  cmd->add_option("--rules", a->rules, "rules file (YAML; default thresholds: rules/response-default.yaml)");
  cmd->add_flag("--no-seg", a->no_seg, "do not write the DICOM SEG");
  cmd->add_flag("--serial", a->serial, "process the two studies one after the other");
  cmd->add_option("--out", a->out_dir,
                  "output folder (response.csv/.json, response_labels.nrrd, response_seg.dcm, response_mip.png, "
                  "response_lesions.vtp, followup_lesions_rtstruct.dcm, registration.dcm)")
      ->required();
  cmd->callback([a, &exit_code] { exit_code = run(*a); });
}

}  // namespace sbrtkit::cli
