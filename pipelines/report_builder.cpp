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

/// Where the plan's files are, and who the patient is (folder mode reads it from the index).
struct Located {
  PlanInputRequest inputs;
  std::vector<std::filesystem::path> images;
  std::string patient_name, patient_id, plan_uid;
  std::vector<std::string> notes, warnings;
};

Expected<Located> locate(const ReportRequest& r) {
  Located out;
  out.inputs.rx_gy = r.rx_gy;
  out.inputs.fractions = r.fractions;
  const bool explicit_files = r.rtstruct || r.rtdose || r.rtplan;
  if (r.directory && explicit_files)
    return Error::bad_argument("PLAN", "either a folder or --rtstruct/--rtdose files", "both");
  if (!r.directory) {
    if (!r.rtstruct) return Error::bad_argument("--rtstruct", "an RTSTRUCT file (or a plan folder)", "nothing");
    if (!r.rtdose) return Error::bad_argument("--rtdose", "an RTDOSE file (or a plan folder)", "nothing");
    out.inputs.rtstruct = r.rtstruct;
    out.inputs.rtdose = r.rtdose;
    out.inputs.rtplan = r.rtplan;
    if (r.ct_directory) {
      if (!std::filesystem::is_directory(*r.ct_directory)) return Error::io(r.ct_directory->string(), "not a folder");
      const DicomIndex index = index_directory(*r.ct_directory);
      std::set<std::string> series;
      for (const auto& f : index.files)
        if (f.modality == "CT") series.insert(f.series_instance_uid);
      if (series.size() != 1)
        return Error::bad_argument("--ct", "a folder with exactly one CT series",
                                   fmt::format("{} CT series in {}", series.size(), r.ct_directory->string()));
      for (const auto& f : index.files)
        if (f.modality == "CT") out.images.push_back(f.path);
    }
    return out;
  }
  // Folder: index once, pick the plan, and hand the files on explicitly (no second indexing).
  if (!std::filesystem::is_directory(*r.directory)) return Error::io(r.directory->string(), "not a folder");
  const DicomIndex index = index_directory(*r.directory);
  for (const auto& e : index.unreadable) out.warnings.push_back("skipped unreadable file: " + e.message());
  auto bundle = select_plan(find_plans(index), r.plan_uid);
  if (!bundle) return bundle.error();
  for (const auto& p : bundle->problems) out.warnings.push_back(p);
  if (!bundle->rtstruct)
    return Error::inconsistent(r.directory->string(), "RTSTRUCT", "no structure set linked to plan " + bundle->plan_uid());
  if (bundle->rtdoses.empty())
    return Error::inconsistent(r.directory->string(), "RTDOSE", "no dose linked to plan " + bundle->plan_uid());
  out.notes.push_back(fmt::format("plan '{}' ({}) chosen: {}", bundle->plan_label(), bundle->plan_uid(),
                                  r.plan_uid ? "asked for with --plan" : "the only plan in the folder"));
  if (bundle->rtdoses.size() > 1)
    out.notes.push_back(fmt::format("{} RTDOSE objects linked to the plan; using {} (summation type {})",
                                    bundle->rtdoses.size(), bundle->rtdoses.front().path.string(),
                                    bundle->rtdoses.front().dose_summation_type));
  out.inputs.rtstruct = bundle->rtstruct->path;
  out.inputs.rtdose = bundle->rtdoses.front().path;
  if (bundle->rtplan) out.inputs.rtplan = bundle->rtplan->path;
  out.images = bundle->image_files;
  const DicomFileInfo& who = bundle->rtplan ? *bundle->rtplan : *bundle->rtstruct;
  out.patient_name = who.patient_name;
  out.patient_id = who.patient_id;
  out.plan_uid = bundle->plan_uid();
  if (out.images.empty()) out.warnings.push_back("no image series linked to the structure set: slices show no CT");
  return out;
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

}  // namespace

Expected<ReportResult> run_report(const ReportRequest& request) {
  if (request.slice_pixels < 16 || request.slice_pixels > 4096)
    return Error::bad_argument("--slice-pixels", "16 to 4096", std::to_string(request.slice_pixels));
  if (!(request.window_width_hu > 0))
    return Error::bad_argument("--window", "a positive window width in HU", std::to_string(request.window_width_hu));
  auto located = locate(request);
  if (!located) return located.error();

  ReportContent content;
  content.notes = located->notes;
  content.warnings = located->warnings;
  content.patient_name = located->patient_name;
  content.patient_id = located->patient_id;
  content.plan_uid = located->plan_uid;

  // Plan inputs, through the protocol check when one is asked for (same reading, one pass).
  PlanInputs inputs;
  if (request.protocol) {
    auto checked = run_check(CheckRequest{located->inputs, *request.protocol});
    if (!checked) return checked.error();
    inputs = std::move(checked->inputs);
    content.compliance = std::move(checked->report);
  } else {
    auto loaded = load_plan_inputs(located->inputs);
    if (!loaded) return loaded.error();
    inputs = std::move(*loaded);
  }
  content.notes.insert(content.notes.end(), inputs.notes.begin(), inputs.notes.end());
  content.warnings.insert(content.warnings.end(), inputs.warnings.begin(), inputs.warnings.end());
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

  const StructureSet& set = inputs.structures;
  const DoseVolume& dose = inputs.dose.dose;
  const DoseField field(dose);
  DvhOptions engine;
  engine.single_plane_thickness_mm = inputs.single_plane_thickness_mm;
  const PrescriptionResolver resolver(set, inputs.plan ? &*inputs.plan : nullptr,
                                      inputs.prescription_source == "--rx" ? inputs.prescription_gy : std::nullopt);
  std::vector<Metric> metrics;
  for (const auto& text : kReportMetrics) {
    auto m = parse_metric(text);
    if (!m) return m.error();
    metrics.push_back(*m);
  }
  content.metric_names = kReportMetrics;

  // DVHs of every structure with a volume; curves sampled on 500 steps of the plan's maximum dose.
  DvhPlot& plot = content.dvh_plot;
  const double curve_step_gy = std::max(field.max_gy(), 1e-3) / 500;
  std::map<int, std::pair<PatientPoint, std::optional<double>>> centre_and_rx;  // by ROI number
  std::map<int, ContourStack> stacks;
  std::map<int, Rgb> colours;
  std::size_t k = 0;
  for (const Structure& s : set.structures) {
    const Rgb colour = s.color ? Rgb{std::uint8_t(std::clamp((*s.color)[0], 0, 255)),
                                     std::uint8_t(std::clamp((*s.color)[1], 0, 255)),
                                     std::uint8_t(std::clamp((*s.color)[2], 0, 255))}
                               : fallback_colour(k);
    ++k;
    colours[s.roi_number] = colour;
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
    stacks.emplace(s.roi_number, std::move(*stack));
    const PrescriptionChoice rx = resolver.for_structure(s, result->centroid);
    centre_and_rx[s.roi_number] = {result->centroid, rx.prescription_gy};
    ReportStructureRow row;
    row.roi_number = s.roi_number;
    row.name = s.name;
    row.interpreted_type = s.interpreted_type;
    row.colour = colour;
    row.volume_cc = result->dvh.total_volume_cc();
    row.coverage = result->dvh.coverage();
    row.prescription_gy = rx.prescription_gy;
    row.warnings = result->warnings;
    for (const auto& m : metrics) {
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

  // Prescriptions: per target from the RTPLAN, else the plan level.
  std::set<double> rx_lines;
  for (const Structure& s : set.structures) {
    auto it = centre_and_rx.find(s.roi_number);
    if (it == centre_and_rx.end() || !s.is_planning_target() || !it->second.second) continue;
    std::string source = inputs.prescription_source == "--rx" ? "--rx"
                         : inputs.target_rx_by_roi.count(s.roi_number) ? "RTPLAN"
                                                                       : "plan level";
    content.prescriptions.push_back({s.name, *it->second.second, source});
    rx_lines.insert(*it->second.second);
  }
  if (rx_lines.empty() && inputs.prescription_gy) rx_lines.insert(*inputs.prescription_gy);
  for (double rx : rx_lines) plot.prescriptions.push_back({fmt::format("Rx {:g} Gy", rx), rx});

  // CT, for the slices.
  std::optional<ImageSeries> ct;
  if (!located->images.empty()) {
    auto series = read_image_series(located->images, true);
    if (series) {
      content.ct_description = fmt::format("{} {} slices {} x {}, {:.2f} x {:.2f} x {:.2f} mm ({}), series {}",
                                           series->modality, series->geometry.size()[2], series->geometry.size()[0],
                                           series->geometry.size()[1], series->geometry.spacing_mm().x,
                                           series->geometry.spacing_mm().y, series->geometry.spacing_mm().z,
                                           series->patient_position.empty() ? "position not stated" : series->patient_position,
                                           series->series_instance_uid);
      if (!set.frame_of_reference_uid.empty() && !series->frame_of_reference_uid.empty() &&
          series->frame_of_reference_uid != set.frame_of_reference_uid)
        content.warnings.push_back("the CT's frame of reference differs from the structure set's: slices show no CT");
      else
        ct = std::move(*series);
    } else {
      content.warnings.push_back("CT not shown: " + series.error().message());
    }
  }

  // Slices through each target's centroid.
  std::vector<SliceStructure> outlines;
  for (const Structure& s : set.structures)
    if (auto it = stacks.find(s.roi_number); it != stacks.end()) outlines.push_back({&it->second, colours[s.roi_number]});
  for (const Structure& s : set.structures) {
    auto it = centre_and_rx.find(s.roi_number);
    if (it == centre_and_rx.end() || !s.is_planning_target()) continue;
    ReportTarget t;
    t.name = s.name;
    t.roi_number = s.roi_number;
    t.centre = it->second.first;
    t.prescription_gy = it->second.second;
    // Field: the target and its 50% isodose region comfortably inside, 80 to 200 mm.
    t.field_mm = std::clamp(6 * half_extent_mm(s) + 40, 80.0, 200.0);
    t.pixel_mm = t.field_mm / request.slice_pixels;
    t.scale_bar_mm = t.field_mm > 150 ? 20 : 10;
    SliceLayers layers;
    layers.ct = ct ? &ct->values : nullptr;
    layers.window_width_hu = request.window_width_hu;
    layers.window_level_hu = request.window_level_hu;
    layers.dose = &dose;
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
    layers.structures = outlines;
    layers.outline_width_px = request.slice_pixels >= 480 ? 2 : 1;
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
    content.targets.push_back(std::move(t));
  }

  ReportResult result;
  if (content.compliance) result.verdict = content.compliance->overall;
  result.warnings = content.warnings;
  result.content = std::move(content);
  return result;
}

}  // namespace sbrtkit
