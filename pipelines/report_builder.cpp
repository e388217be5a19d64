// `sbrtkit report`: gathers what the page shows (ReportContent) from the plan, the protocol check,
// the DVHs and the rendered slices; report/report_html.cpp lays it out.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "sbrtkit/pipelines/check.h"
#include "sbrtkit/pipelines/plan_inputs.h"
#include "sbrtkit/contour_stack.h"
#include "sbrtkit/dicom/dicom_index.h"
#include "sbrtkit/dicom/image_series.h"
#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/metric.h"
#include "sbrtkit/pipelines/report.h"
#include "sbrtkit/prescription.h"

namespace sbrtkit {
namespace {

const std::vector<std::string> kReportMetrics = {"Min[Gy]", "Mean[Gy]", "Max[Gy]",     "D98%[Gy]", "D95%[Gy]",
                                                 "D50%[Gy]", "D2%[Gy]", "D0.03cc[Gy]", "V100%[%]"};

/// Distinct colours for ROIs without ROIDisplayColor.
Rgb fallback_colour(std::size_t k) {
  static constexpr Rgb kPalette[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},  {148, 103, 189},
                                     {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
  return kPalette[k % std::size(kPalette)];
}

/// The plan inputs the page is made from: a plan folder (resolved by load_plan_inputs, which also finds the
/// CT) or explicit files.
PlanInputRequest plan_request(const ReportRequest& r) {
  return {r.directory, r.plan_uid, r.rtstruct, r.rtdose, r.rtplan, r.rx_gy, r.fractions};
}

/// The CT files of --ct, for explicit files: a folder holding exactly one CT series.
Expected<std::vector<std::filesystem::path>> explicit_ct_files(const std::filesystem::path& folder) {
  if (!std::filesystem::is_directory(folder)) return Error::io(folder.string(), "not a folder");
  const DicomIndex index = index_directory(folder);
  std::set<std::string> series;
  for (const auto& f : index.files)
    if (f.modality == "CT") series.insert(f.series_instance_uid);
  if (series.size() != 1)
    return Error::bad_argument("--ct", "a folder with exactly one CT series",
                               fmt::format("{} CT series in {}", series.size(), folder.string()));
  std::vector<std::filesystem::path> files;
  for (const auto& f : index.files)
    if (f.modality == "CT") files.push_back(f.path);
  return files;
}

/// Half the largest extent of the structure's contour points along x, y, z (mm).
double half_extent_mm(const Structure& s) {
  double lo[3] = {1e300, 1e300, 1e300}, hi[3] = {-1e300, -1e300, -1e300};
  for (const auto& c : s.contours)
    for (const auto& p : c.points) {
      const double v[3] = {p.x, p.y, p.z};
      for (int a = 0; a < 3; ++a) lo[a] = std::min(lo[a], v[a]), hi[a] = std::max(hi[a], v[a]);
    }
  double e = 0;
  for (int a = 0; a < 3; ++a) e = std::max(e, hi[a] - lo[a]);
  return 0.5 * e;
}

/// Plan inputs, through the protocol check when one is asked for (same reading, one pass), and the page
/// header they give: patient, plan, files, prescription and fractionation, with their notes and warnings.
Expected<PlanInputs> read_inputs(const ReportRequest& request, ReportContent& content) {
  PlanInputs inputs;
  if (request.protocol) {
    auto checked = run_check(CheckRequest{plan_request(request), *request.protocol});
    if (!checked) return checked.error();
    inputs = std::move(checked->inputs);
    content.compliance = std::move(checked->report);
  } else {
    auto loaded = load_plan_inputs(plan_request(request));
    if (!loaded) return loaded.error();
    inputs = std::move(*loaded);
  }
  content.notes = inputs.notes;
  content.warnings = inputs.warnings;
  if (request.directory && inputs.image_files.empty())
    content.warnings.push_back("no image series linked to the structure set: slices show no CT");
  content.patient_name = inputs.patient_name;
  content.patient_id = inputs.patient_id;
  content.plan_uid = inputs.plan_uid;
  content.rtstruct_file = inputs.rtstruct_file;
  content.rtdose_file = inputs.rtdose_file;
  content.rtplan_file = inputs.rtplan_file.value_or("");
  if (inputs.plan) {
    content.plan_label = inputs.plan->label;
    content.plan_name = inputs.plan->name;
    if (content.plan_uid.empty()) content.plan_uid = inputs.plan->sop_instance_uid;
  }
  content.plan_prescription_gy = inputs.prescription_gy;
  content.prescription_source = inputs.prescription_source;
  content.fractions = inputs.fractions;
  content.fractions_source = inputs.fractions_source;
  return inputs;
}

/// What the DVH step leaves for the prescriptions and slices, by ROI number.
struct DrawnStructures {
  std::map<int, std::pair<PatientPoint, std::optional<double>>> centre_and_rx;  // structures with a DVH
  std::map<int, ContourStack> stacks;
  std::map<int, Rgb> colours;
};

Rgb structure_colour(const Structure& s, std::size_t k) {
  return s.color ? Rgb{std::uint8_t(std::clamp((*s.color)[0], 0, 255)), std::uint8_t(std::clamp((*s.color)[1], 0, 255)),
                       std::uint8_t(std::clamp((*s.color)[2], 0, 255))}
                 : fallback_colour(k);
}

/// DVHs of every structure with a volume: the metrics table and the plot (curves sampled on 500 steps of
/// the plan's maximum dose).
Expected<DrawnStructures> add_dvhs(const PlanInputs& inputs, const DoseField& field, ReportContent& content) {
  const StructureSet& set = inputs.structures;
  DvhOptions engine;
  engine.single_plane_thickness_mm = inputs.single_plane_thickness_mm;
  const PrescriptionResolver resolver(set, inputs.plan ? &*inputs.plan : nullptr,
                                      inputs.prescription_source == "--rx" ? inputs.prescription_gy : std::nullopt);
  auto metrics = parse_metrics(kReportMetrics);
  if (!metrics) return metrics.error();
  content.metric_names = kReportMetrics;

  DvhPlot& plot = content.dvh_plot;
  const double curve_step_gy = std::max(field.max_gy(), 1e-3) / 500;
  DrawnStructures drawn;
  std::size_t k = 0;
  for (const Structure& s : set.structures) {
    const Rgb colour = structure_colour(s, k);
    ++k;
    drawn.colours[s.roi_number] = colour;
    if (!s.has_closed_contours()) continue;
    auto stack = build_contour_stack(s, engine.end_cap, engine.single_plane_thickness_mm);
    if (!stack) {
      content.warnings.push_back(fmt::format("ROI {} {}: not drawn: {}", s.roi_number, s.name, stack.error().message()));
      continue;
    }
    auto result = compute_dvh(s, field, engine);
    if (!result) {
      content.warnings.push_back(fmt::format("ROI {} {}: no DVH: {}", s.roi_number, s.name, result.error().message()));
      continue;
    }
    drawn.stacks.emplace(s.roi_number, std::move(*stack));
    const PrescriptionChoice rx = resolver.for_structure(s, result->centroid);
    drawn.centre_and_rx[s.roi_number] = {result->centroid, rx.prescription_gy};
    ReportStructureRow row;
    row.roi_number = s.roi_number;
    row.name = s.name;
    row.interpreted_type = s.interpreted_type;
    row.colour = colour;
    row.volume_cc = result->dvh.total_volume_cc();
    row.coverage = result->dvh.coverage();
    row.prescription_gy = rx.prescription_gy;
    row.warnings = warning_texts(result->warnings);
    for (const auto& m : *metrics) {
      const bool relative = m.text().find('%') != std::string::npos && m.text().rfind("V", 0) == 0;
      // V100% only where it means coverage: targets.
      row.metrics.push_back(relative && !s.is_planning_target() ? std::nullopt : evaluate(m, result->dvh, rx.prescription_gy).value);
    }
    content.structures.push_back(row);
    if (!result->dvh.empty()) {
      // Targets of every kind (GTV, CTV, ITV, PTV) are drawn solid, organs at risk dashed.
      const std::string type = ascii_upper(s.interpreted_type), name = ascii_upper(s.name);
      const bool any_target = s.is_planning_target() || type == "GTV" || type == "CTV" || type == "ITV" ||
                              name.rfind("GTV", 0) == 0 || name.rfind("CTV", 0) == 0 || name.rfind("ITV", 0) == 0;
      DvhPlotSeries series{s.name, colour, any_target, {}};
      const double covered = result->dvh.covered_volume_cc();
      for (const auto& p : result->dvh.cumulative(curve_step_gy)) series.points.push_back({p.dose_gy, 100 * p.volume_cc / covered});
      plot.series.push_back(std::move(series));
    }
  }
  return drawn;
}

/// Prescriptions: per target from the RTPLAN, else the plan level; one dashed line per distinct dose.
void add_prescriptions(const PlanInputs& inputs, const DrawnStructures& drawn, ReportContent& content) {
  std::set<double> rx_lines;
  for (const Structure& s : inputs.structures.structures) {
    auto it = drawn.centre_and_rx.find(s.roi_number);
    if (it == drawn.centre_and_rx.end() || !s.is_planning_target() || !it->second.second) continue;
    std::string source = inputs.prescription_source == "--rx" ? "--rx"
                         : inputs.target_rx_by_roi.count(s.roi_number) ? "RTPLAN"
                                                                       : "plan level";
    content.prescriptions.push_back({s.name, *it->second.second, source});
    rx_lines.insert(*it->second.second);
  }
  if (rx_lines.empty() && inputs.prescription_gy) rx_lines.insert(*inputs.prescription_gy);
  for (double rx : rx_lines) content.dvh_plot.prescriptions.push_back({fmt::format("Rx {:g} Gy", rx), rx});
}

/// The CT under the slices, when it was found, reads, and shares the structure set's frame of reference.
std::optional<ImageSeries> read_ct(const std::vector<std::filesystem::path>& files, const StructureSet& set,
                                   ReportContent& content) {
  if (files.empty()) return std::nullopt;
  auto series = read_image_series(files, true);
  if (!series) {
    content.warnings.push_back("CT not shown: " + series.error().message());
    return std::nullopt;
  }
  content.ct_description = fmt::format("{} {} slices {} x {}, {:.2f} x {:.2f} x {:.2f} mm ({}), series {}",
                                       series->modality, series->geometry.size()[2], series->geometry.size()[0],
                                       series->geometry.size()[1], series->geometry.spacing_mm().x,
                                       series->geometry.spacing_mm().y, series->geometry.spacing_mm().z,
                                       series->patient_position.empty() ? "position not stated" : series->patient_position,
                                       series->series_instance_uid);
  if (!set.frame_of_reference_uid.empty() && !series->frame_of_reference_uid.empty() &&
      series->frame_of_reference_uid != set.frame_of_reference_uid) {
    content.warnings.push_back("the CT's frame of reference differs from the structure set's: slices show no CT");
    return std::nullopt;
  }
  return std::move(*series);
}

/// Axial, coronal and sagittal slices through one target's centroid: CT, dose wash, isodoses at 100% and
/// 50% of its prescription (else of the maximum dose), every drawn outline.
ReportTarget target_slices(const ReportRequest& request, const Structure& s, PatientPoint centre,
                           std::optional<double> prescription_gy, const SliceLayers& common, const DoseField& field) {
  ReportTarget t;
  t.name = s.name;
  t.roi_number = s.roi_number;
  t.centre = centre;
  t.prescription_gy = prescription_gy;
  // Field: the target and its 50% isodose region comfortably inside, 80 to 200 mm.
  t.field_mm = std::clamp(6 * half_extent_mm(s) + 40, 80.0, 200.0);
  t.pixel_mm = t.field_mm / request.slice_pixels;
  t.scale_bar_mm = t.field_mm > 150 ? 20 : 10;
  SliceLayers layers = common;
  const double rx = t.prescription_gy.value_or(field.max_gy());
  layers.wash_min_gy = request.wash_threshold_pct / 100 * rx;
  layers.wash_max_gy = std::max(field.max_gy(), layers.wash_min_gy + 1e-3);
  t.wash_min_gy = layers.wash_min_gy;
  t.wash_max_gy = layers.wash_max_gy;
  // White and cyan with a dark halo: rarely ROI colours, and readable over the wash.
  const Rgb iso100{255, 255, 255}, iso50{0, 255, 255};
  layers.isodoses = {{rx, iso100}, {0.5 * rx, iso50}};
  const std::string basis = t.prescription_gy ? "Rx" : "max dose";
  t.isodoses = {{fmt::format("100% {} ({:.3g} Gy)", basis, rx), iso100},
                {fmt::format("50% {} ({:.3g} Gy)", basis, 0.5 * rx), iso50}};
  layers.scale_bar_mm = t.scale_bar_mm;
  for (SliceView view : {SliceView::axial, SliceView::coronal, SliceView::sagittal}) {
    const SlicePlane plane = make_slice_plane(view, t.centre, t.field_mm, t.field_mm, t.pixel_mm);
    ReportFigure f;
    f.image = render_slice(plane, layers);
    f.view = view == SliceView::axial ? "Axial" : view == SliceView::coronal ? "Coronal" : "Sagittal";
    f.right = direction_label(plane.right);
    f.left = direction_label(-1.0 * plane.right);
    f.bottom = direction_label(plane.down);
    f.top = direction_label(-1.0 * plane.down);
    const char axis = view == SliceView::axial ? 'z' : view == SliceView::coronal ? 'y' : 'x';
    const double at = view == SliceView::axial ? t.centre.z : view == SliceView::coronal ? t.centre.y : t.centre.x;
    f.caption = fmt::format("{}, {} = {:.1f} mm", f.view, axis, at);
    t.figures.push_back(std::move(f));
  }
  return t;
}

}  // namespace

Expected<ReportResult> run_report(const ReportRequest& request) {
  if (request.slice_pixels < 16 || request.slice_pixels > 4096)
    return Error::bad_argument("--slice-pixels", "16 to 4096", std::to_string(request.slice_pixels));
  if (!(request.window_width_hu > 0))
    return Error::bad_argument("--window", "a positive window width in HU", std::to_string(request.window_width_hu));
  // Explicit files with --ct: the CT folder is checked before any file is read (as the arguments are).
  std::vector<std::filesystem::path> ct_files;
  if (!request.directory && request.rtstruct && request.rtdose && request.ct_directory) {
    auto files = explicit_ct_files(*request.ct_directory);
    if (!files) return files.error();
    ct_files = std::move(*files);
  }

  ReportContent content;
  auto inputs = read_inputs(request, content);
  if (!inputs) return inputs.error();
  if (request.directory) ct_files = inputs->image_files;
  const DoseField field(inputs->dose.dose);
  auto drawn = add_dvhs(*inputs, field, content);
  if (!drawn) return drawn.error();
  add_prescriptions(*inputs, *drawn, content);
  const std::optional<ImageSeries> ct = read_ct(ct_files, inputs->structures, content);

  SliceLayers common;
  common.ct = ct ? &ct->values : nullptr;
  common.window_width_hu = request.window_width_hu;
  common.window_level_hu = request.window_level_hu;
  common.dose = &inputs->dose.dose;
  for (const Structure& s : inputs->structures.structures)
    if (auto it = drawn->stacks.find(s.roi_number); it != drawn->stacks.end())
      common.structures.push_back({&it->second, drawn->colours[s.roi_number]});
  common.outline_width_px = request.slice_pixels >= 480 ? 2 : 1;
  for (const Structure& s : inputs->structures.structures) {
    auto it = drawn->centre_and_rx.find(s.roi_number);
    if (it == drawn->centre_and_rx.end() || !s.is_planning_target()) continue;
    content.targets.push_back(target_slices(request, s, it->second.first, it->second.second, common, field));
  }

  ReportResult result;
  if (content.compliance) result.verdict = content.compliance->overall;
  result.warnings = content.warnings;
  result.content = std::move(content);
  return result;
}

}  // namespace sbrtkit
