#include "lesions_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "progress_bar.h"
#include "sbrtkit/dicom/seg_writer.h"
#include "sbrtkit/palette.h"
#include "sbrtkit/pipelines/lesion_exports.h"
#include "sbrtkit/pipelines/lesions_report.h"
#include "sbrtkit/report/lesions_output.h"
#include "io/output_file.h"

namespace sbrtkit::cli {
namespace {

struct LesionsArguments {
  PlanFolderArguments plan;
  std::string pet_dir, pet_ct_dir, registration = "auto", rois, segment, liver_roi = "Liver";
  std::string exclude = PhysiologicalUptakeRules{}.exclude_rois;
  std::string out_dir, injection_time, sex, suv_type = "bw";
  double weight_kg = 0, injected_dose_mbq = 0, height_m = 0, alpha_beta = 0;
  double threshold = 4.0, percent = 41, seed_suv = 3.0, min_volume_cc = 0.1;
  std::string background = "local", mtv_sampling = "subvoxel";
  std::vector<double> liver_suv;
  double exclude_margin_mm = PhysiologicalUptakeRules{}.exclude_margin_mm;
  double max_volume_cc = PhysiologicalUptakeRules{}.max_volume_cc;
  std::vector<double> background_shell{8, 16};
  bool no_seg = false;
};

int run(const LesionsArguments& a) {
  LesionsRequest r;
  auto plan_dir = a.plan.resolve();
  if (!plan_dir) return report_error("lesions", plan_dir.error());
  r.plan_dir = *plan_dir;
  if (!a.plan.plan_uid.empty()) r.plan_uid = a.plan.plan_uid;
  r.pet_dir = a.pet_dir;
  if (!a.pet_ct_dir.empty()) r.pet_ct_dir = a.pet_ct_dir;
  r.registration = parse_registration_choice(a.registration);
  r.rois = a.rois;
  r.exclude_rois = a.exclude;
  r.exclude_margin_mm = a.exclude_margin_mm;
  r.max_volume_cc = a.max_volume_cc;
  if (!(a.exclude_margin_mm >= 0))
    return report_error("lesions", Error::bad_argument("--exclude-margin", "a margin >= 0 mm",
                                                       fmt::format("{}", a.exclude_margin_mm)));
  r.liver_roi = a.liver_roi;
  if (!a.liver_suv.empty()) {
    const double mean = a.liver_suv[0], sd = a.liver_suv.size() > 1 ? a.liver_suv[1] : 0.0;
    if (!(mean > 0 && sd >= 0))
      return report_error("lesions", Error::bad_argument("--liver-suv", "MEAN[,SD] with MEAN > 0 and SD >= 0",
                                                         fmt::format("{},{}", mean, sd)));
    LiverReference stated;
    stated.mean_suv = mean;
    stated.sd_suv = sd;
    stated.volume_cc = 1;  // stated, not measured: any positive volume marks the reference as usable
    r.stated_liver = stated;
  }
  if (a.segment == "threshold") r.segment = ThresholdMode::absolute;
  if (a.segment == "percent") r.segment = ThresholdMode::percent_of_max;
  if (a.segment == "liver") r.segment = ThresholdMode::liver;
  if (!r.segment && r.rois.empty())
    return report_error("lesions", Error::bad_argument("--rois / --segment", "ROI patterns, a segmentation, or both",
                                                       "neither"));
  r.segmentation.absolute_suv = a.threshold;
  r.segmentation.percent = a.percent;
  r.segmentation.seed_suv = a.seed_suv;
  r.segmentation.min_volume_cc = a.min_volume_cc;
  r.segmentation.local_background = a.background == "local";
  r.segmentation.background_inner_mm = a.background_shell[0];
  r.segmentation.background_outer_mm = a.background_shell[1];
  if (!(a.background_shell[0] >= 0 && a.background_shell[1] > a.background_shell[0]))
    return report_error("lesions", Error::bad_argument("--background-shell", "INNER,OUTER in mm with 0 <= INNER < OUTER",
                                                       fmt::format("{},{}", a.background_shell[0], a.background_shell[1])));
  r.mtv_percent = a.percent;
  r.mtv_sub_voxel = a.mtv_sampling == "subvoxel";
  if (a.weight_kg != 0) r.suv_overrides.weight_kg = a.weight_kg;
  if (a.injected_dose_mbq != 0) r.suv_overrides.injected_dose_bq = a.injected_dose_mbq * 1e6;
  if (a.height_m != 0) r.suv_overrides.height_m = a.height_m;
  r.suv_overrides.injection_time = a.injection_time;
  r.suv_overrides.sex = a.sex;
  r.suv_type = a.suv_type == "sul" ? SuvType::lean_body_mass : SuvType::body_weight;
  if (a.alpha_beta != 0) {
    if (!(a.alpha_beta > 0))
      return report_error("lesions", Error::bad_argument("--alpha-beta", "a positive a/b in Gy", std::to_string(a.alpha_beta)));
    r.alpha_beta_gy = a.alpha_beta;
  }

  StageProgress progress(stderr, is_terminal(stderr), "lesions");
  r.on_stage = [&progress](const std::string& s) { progress.stage(s); };
  auto report = run_lesions(r);
  progress.finish();
  if (!report) return report_error("lesions", report.error());
  const std::filesystem::path out(a.out_dir);
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) return report_error("lesions", Error::io(out.string(), "cannot create the output folder: " + ec.message()));
  if (auto s = write_file_atomically(out / "lesions.csv", format_lesions_csv(*report)); !s)
    return report_error("lesions", s.error());
  if (auto s = write_file_atomically(out / "lesions.json", format_lesions_json(*report)); !s)
    return report_error("lesions", s.error());
  if (auto s = write_label_map_nrrd(out / "lesions_labels.nrrd", *report); !s) return report_error("lesions", s.error());
  if (auto s = write_lesions_mip_png(out / "lesions_mip.png", *report); !s)
    return report_error("lesions", s.error());
  if (!a.no_seg && !report->lesions.empty()) {
    SegInput seg;
    seg.source_files = report->pet_files;
    seg.grid = report->pet_grid;
    for (const auto& l : report->lesions)
      seg.segments.push_back({l.name, l.source, l.voxels.index, l.voxels.weight, lesion_colour(l.id)});
    if (auto s = write_lesion_seg(out / "lesions_seg.dcm", seg); !s) return report_error("lesions", s.error());
  }
  auto rtstruct = export_lesions_rtstruct(out / "lesions_rtstruct.dcm", r.plan_dir, *report);
  if (!rtstruct) return report_error("lesions", rtstruct.error());
  for (const auto& n : *rtstruct) std::fprintf(stderr, "sbrtkit lesions: note: %s\n", n.c_str());
  for (const auto& w : report->warnings) std::fprintf(stderr, "sbrtkit lesions: warning: %s\n", w.c_str());
  std::printf("sbrtkit lesions: %zu lesion(s); PET mapped by %s; tables, label map, MIP picture%s in %s\n",
              report->lesions.size(), report->mapping.method.c_str(), a.no_seg ? "" : " and SEG", out.string().c_str());
  for (const auto& l : report->lesions)
    std::printf("  %2d %-8s %-14s %7.3f cc  SUVmax %6.2f  SUVpeak %6.2f  SUVmean %6.2f  %s %s\n", l.id, l.source.c_str(),
                l.name.c_str(), l.uptake.volume_cc, l.uptake.suv_max, l.uptake.suv_peak.suv, l.uptake.suv_mean,
                l.covering_ptv.c_str(), l.ptv_distance_mm ? fmt::format("{:+.1f} mm", *l.ptv_distance_mm).c_str() : "");
  return kExitOk;
}

}  // namespace

void add_lesions_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<LesionsArguments>();
  CLI::App* cmd = app.add_subcommand("lesions", "Per-lesion PET uptake (SUV, MTV, TLG) and planned dose");
  add_plan_folder_options(cmd, a->plan);
  cmd->add_option("--pet", a->pet_dir, "folder with the PET series")->required();
  cmd->add_option("--pet-ct", a->pet_ct_dir, "CT of the PET study (for rigid registration; default: next to --pet)");
  cmd->add_option("--registration", a->registration,
                  "auto (same FoR / spatial registration / rigid), none, rigid, or a Spatial Registration file")
      ->capture_default_str();
  cmd->add_option("--rois", a->rois, "ROI lesions: comma-separated name globs or type:GTV");
  cmd->add_option("--segment", a->segment, "PET segmentation: threshold, percent or liver")
      ->check(CLI::IsMember({"threshold", "percent", "liver"}));
  cmd->add_option("--threshold", a->threshold, "absolute SUV threshold (--segment threshold)")->capture_default_str();
  cmd->add_option("--percent", a->percent, "% of each lesion's SUVmax (--segment percent; ROI MTV)")->capture_default_str();
  cmd->add_option("--seed-suv", a->seed_suv, "a region must reach this SUV to seed a lesion (percent)")->capture_default_str();
  cmd->add_option("--background", a->background,
                  "local: cut at B + percent x (SUVmax - B), B the median SUV in a shell around the lesion; "
                  "none: percent x SUVmax (the classic rule)")
      ->check(CLI::IsMember({"local", "none"}))
      ->capture_default_str();
  cmd->add_option("--background-shell", a->background_shell,
                  "INNER,OUTER distance [mm] of the background shell; INNER is also the spill margin of the "
                  "recovered SUVmean")
      ->delimiter(',')
      ->expected(2)
      ->capture_default_str();
  cmd->add_option("--mtv-sampling", a->mtv_sampling,
                  "subvoxel: MTV and SUVmean on the interpolated image's isosurface; voxel: count voxel centres")
      ->check(CLI::IsMember({"subvoxel", "voxel"}))
      ->capture_default_str();
  cmd->add_option("--min-volume", a->min_volume_cc, "smallest lesion kept [cc]")->capture_default_str();
  cmd->add_option("--exclude", a->exclude, "ROIs masking physiological uptake (\"\" masks none)")->capture_default_str();
  cmd->add_option("--max-volume", a->max_volume_cc,
                  "segmented components larger than this [cc] are physiological uptake, listed as excluded (0 keeps all)")
      ->capture_default_str();
  cmd->add_option("--exclude-margin", a->exclude_margin_mm,
                  "grow the --exclude ROIs by this [mm], to drop their spill-out (about 1.3 x the scanner FWHM)")
      ->capture_default_str();
  cmd->add_option("--liver-roi", a->liver_roi, "liver ROI for --segment liver")->capture_default_str();
  cmd->add_option("--liver-suv", a->liver_suv,
                  "MEAN[,SD]: a liver reference measured elsewhere, instead of --liver-roi (--segment liver)")
      ->delimiter(',')
      ->expected(1, 2);
  cmd->add_option("--weight", a->weight_kg, "patient weight [kg] (overrides (0010,1030))");
  cmd->add_option("--injected-dose", a->injected_dose_mbq, "injected activity [MBq] (overrides (0018,1074))");
  cmd->add_option("--injection-time", a->injection_time, "injection time HH:MM[:SS] or YYYYMMDDHHMMSS");
  cmd->add_option("--height", a->height_m, "patient height [m] (SUL)");
  cmd->add_option("--sex", a->sex, "M or F (SUL)");
  cmd->add_option("--suv", a->suv_type, "bw (body weight) or sul (James lean body mass)")
      ->check(CLI::IsMember({"bw", "sul"}));
  cmd->add_option("--alpha-beta", a->alpha_beta, "a/b [Gy] for BED / EQD2 columns");
  cmd->add_flag("--no-seg", a->no_seg, "do not write the DICOM SEG");
  cmd->add_option("--out", a->out_dir, "output folder (lesions.csv, lesions.json, lesions_labels.nrrd, lesions_mip.png, lesions_seg.dcm, "
                  "lesions_rtstruct.dcm)")
      ->required();
  cmd->callback([a, &exit_code] { exit_code = run(*a); });
}

}  // namespace sbrtkit::cli
