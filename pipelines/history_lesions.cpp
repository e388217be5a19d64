// The lesion side of `sbrtkit history`: segmentation of every PET study (run_lesions with the study's
// known map into the reference frame), each course's dose context at every lesion, core/lesion_history,
// and the per-lesion cumulative EQD2. See include/sbrtkit/pipelines/history_lesions.h.
#include "sbrtkit/pipelines/history_lesions.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unistd.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <thread>

#include "sbrtkit/contour_stack.h"
#include "sbrtkit/dicom/rtplan.h"
#include "sbrtkit/dicom/rtstruct.h"
#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/radiobiology.h"
#include "sbrtkit/stack_distance.h"

namespace sbrtkit {
namespace {

/// A private temporary folder with symbolic links to one study's PET files, removed on destruction: what
/// run_lesions reads when the files share their folder with other series.
class StagedSeries {
 public:
  StagedSeries(const std::vector<std::filesystem::path>& files, std::size_t n) {
    if (files.empty()) return;
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path dir = fs::temp_directory_path(ec) /
                         fmt::format("sbrtkit-history-pet-{}-{}-{}", ::getpid(), n, reinterpret_cast<std::uintptr_t>(this));
    fs::create_directories(dir, ec);
    if (ec) return;
    for (std::size_t i = 0; i < files.size() && !ec; ++i)
      fs::create_symlink(fs::absolute(files[i], ec), dir / fmt::format("PT_{:05}.dcm", i), ec);
    if (ec) {
      fs::remove_all(dir, ec);
      return;
    }
    dir_ = dir;
  }
  ~StagedSeries() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  StagedSeries(const StagedSeries&) = delete;
  StagedSeries& operator=(const StagedSeries&) = delete;
  const std::filesystem::path& dir() const { return dir_; }  // empty: not staged

 private:
  std::filesystem::path dir_;
};

LesionsRequest lesions_request(const HistoryLesionsRequest& r, const HistoryLesionsStudy& s,
                               const std::filesystem::path& staged) {
  LesionsRequest l;
  l.plan_dir = r.reference_plan_dir;
  l.plan_uid = r.reference_plan_uid;
  l.pet_dir = staged.empty() ? s.pet_dir : staged;
  l.pet_ct_dir = s.ct_dir;
  l.given_to_planning = s.to_reference;
  l.given_method = s.placed_by.empty() ? "the history's placement of the study" : s.placed_by;
  const auto& seg = r.rules.segmentation;
  l.segment = seg.options.mode;
  l.segmentation = seg.options;
  l.exclude_rois = seg.exclude_rois;
  l.exclude_margin_mm = seg.exclude_margin_mm;
  l.mtv_percent = seg.options.percent;
  return l;
}

/// The study's lesions in the reference frame, as `response` keeps them: components above max_volume_cc
/// are physiological uptake (kidneys), the rest renumbered 1..n; voxel centres with weight >= 0.5.
LesionStudy keep_lesions(const LesionsReport& rep, const HistoryLesionsStudy& s, const CalendarDate& date,
                         const ResponseSegmentation& seg, std::vector<std::string>& notes) {
  LesionStudy out;
  out.label = s.series_uid;
  out.date = date;
  const ImageGeometry& g = rep.pet_grid;
  const Vec3 sp = g.spacing_mm();
  for (const auto& row : rep.lesions) {
    if (seg.max_volume_cc > 0 && row.uptake.volume_cc > seg.max_volume_cc) {
      notes.push_back(fmt::format("PET {} ({}): dropped a {:.1f} cc component, SUVmax {:.2f}, at ({:.0f}, {:.0f}, {:.0f}) "
                                  "mm: larger than {:g} cc, taken as physiological uptake",
                                  s.series_uid, to_iso(date), row.uptake.volume_cc, row.uptake.suv_max,
                                  row.centroid_planning.x, row.centroid_planning.y, row.centroid_planning.z,
                                  seg.max_volume_cc));
      continue;
    }
    ResponseLesion l;
    l.id = int(out.lesions.size()) + 1;
    l.name = fmt::format("PET_{}", l.id);
    l.centroid = row.centroid_planning;  // run_lesions placed it with the study's map: reference frame
    l.volume_cc = row.uptake.volume_cc;
    l.suv_max = row.uptake.suv_max;
    l.suv_peak = row.uptake.suv_peak.suv;
    l.suv_mean = row.uptake.suv_mean;
    l.tlg = row.uptake.tlg;
    l.voxel_volume_mm3 = g.voxel_volume_mm3();
    l.voxel_size_mm = std::max({sp.x, sp.y, sp.z});
    for (std::size_t q = 0; q < row.voxels.index.size(); ++q) {
      if (row.voxels.weight[q] < 0.5f) continue;
      l.points.push_back(s.to_reference.apply(g.to_patient(g.index_of(row.voxels.index[q]))));
    }
    out.lesions.push_back(std::move(l));
  }
  return out;
}

/// Dose of a course at a reference-frame point: nullopt where the point maps outside its calculated grid.
std::optional<double> course_dose_at(const ResampledDose& d, PatientPoint p) {
  const ImageGeometry& g = d.dose_gy.geometry;
  if (!g.contains(p)) return std::nullopt;
  const VoxelIndex v = g.nearest_voxel(p);
  if (!g.contains(v) || d.covered.voxels.empty() || !d.covered.at(v)) return std::nullopt;
  return dose_at(d.dose_gy, p);
}

struct CoursePtv {
  std::string name;
  StackDistance distance;  // in the course's own frame
  std::optional<double> rx_gy;
};

/// The course's PTVs with their prescriptions (RTPLAN dose references by ROI number).
Expected<std::vector<CoursePtv>> course_ptvs(const HistoryLesionsCourse& c, std::vector<std::string>& warnings) {
  auto ss = read_rtstruct(c.rtstruct_file);
  if (!ss) return ss.error();
  std::optional<PlanInfo> plan;
  if (!c.rtplan_file.empty()) {
    auto p = read_rtplan(c.rtplan_file);
    if (p) plan = std::move(*p);
    else warnings.push_back("course " + c.plan_uid + ": RTPLAN not read (" + p.error().message() +
                            "): the isodose rules of the lesion history have no prescription");
  }
  std::vector<CoursePtv> out;
  for (const auto& s : ss->structures) {
    if (!s.is_planning_target() || !s.has_closed_contours()) continue;
    auto stack = build_contour_stack(s, EndCap::half, 0);
    if (!stack) return stack.error().with_context("course " + c.plan_uid + " ROI '" + s.name + "'");
    std::optional<double> rx;
    if (plan)
      for (const auto& dr : plan->dose_references)
        if (dr.referenced_roi_number && *dr.referenced_roi_number == s.roi_number) rx = dr.target_prescription_gy;
    out.push_back({s.name, StackDistance(*stack), rx});
  }
  if (out.empty()) warnings.push_back("course " + c.plan_uid + ": no PTV in its RTSTRUCT: it treats no lesion");
  return out;
}

LesionDoseContext context_of(const ResponseLesion& l, const std::vector<CoursePtv>& ptvs, const RigidMap& to_course,
                             const ResampledDose* dose) {
  LesionDoseContext c;
  double best = std::numeric_limits<double>::infinity();
  const PatientPoint centre = to_course.apply(l.centroid);
  for (const auto& p : ptvs)
    if (const double d = p.distance.signed_distance_mm(centre); d < best) {
      best = d;
      c.ptv = p.name;
      c.ptv_distance_mm = d;
      c.prescription_gy = p.rx_gy;
    }
  if (dose) {
    c.centroid_dose_gy = course_dose_at(*dose, l.centroid);
    c.point_dose_gy.reserve(l.points.size());
    for (const auto& q : l.points) c.point_dose_gy.push_back(course_dose_at(*dose, q));
  }
  return c;
}

std::optional<double> mean_of(const std::vector<double>& v) {
  if (v.empty()) return std::nullopt;
  double s = 0;
  for (double x : v) s += x;
  return s / double(v.size());
}

/// The appearance a lesion's dose is read at: the last study on or before the last course's plan date
/// (the lesion as last treated or planned around), else its first appearance.
const LesionAppearance& dose_appearance(const LesionTrack& t, const std::vector<LesionCourse>& courses) {
  const LesionAppearance* pick = &t.timeline.front();
  if (courses.empty()) return *pick;
  for (const auto& a : t.timeline)
    if (a.date <= courses.back().date) pick = &a;
  return *pick;
}

}  // namespace

std::optional<double> d98_of(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  // Nearest rank from the bottom: the smallest value with at most 2% of the points below it.
  const auto below = static_cast<std::size_t>(std::floor(0.02 * double(v.size())));
  return v[std::min(below, v.size() - 1)];
}

HistoryLesionsRequest history_lesions_request(const HistoryReport& rep, const ResponseRuleSet& rules) {
  HistoryLesionsRequest r;
  r.rules = rules;
  const HistoryCourse& ref = rep.courses[rep.reference_course];
  r.reference_plan_dir = std::filesystem::path(ref.rtplan_file).parent_path();
  r.reference_plan_uid = ref.plan_uid;
  for (const auto& c : rep.courses)
    r.courses.push_back({c.plan_uid, c.date, c.fractions, c.to_reference, c.rtstruct_file, c.rtplan_file,
                         c.on_grid.dose_gy.voxels.empty() ? nullptr : &c.on_grid});
  for (const auto& s : rep.studies) {
    if (s.modality != "PT" || s.files.empty()) continue;
    if (!s.placed) {
      r.left_out.push_back("PET study " + s.series_uid + " of " + s.date +
                           ": not placed in the reference frame, left out of the lesion history");
      continue;
    }
    HistoryLesionsStudy st;
    st.series_uid = s.series_uid;
    st.date = s.date;
    st.pet_dir = s.files.front().parent_path();
    st.pet_files = s.files;
    if (!s.ct_files.empty()) st.ct_dir = s.ct_files.front().parent_path();
    st.to_reference = s.to_reference;
    st.placed_by = s.registration.method;
    r.studies.push_back(std::move(st));
  }
  return r;
}

const LesionCourseOutcome* headline_outcome(const LesionTrack& t) {
  if (!t.treated_by.empty())
    for (auto it = t.outcomes.rbegin(); it != t.outcomes.rend(); ++it)
      if (it->course == t.treated_by.back()) return &*it;
  return t.outcomes.empty() ? nullptr : &t.outcomes.back();
}

Expected<HistoryLesions> run_history_lesions(const HistoryLesionsRequest& r) {
  const auto t0 = std::chrono::steady_clock::now();
  HistoryLesions out;
  out.alpha_beta_gy = r.lesion_alpha_beta_gy;
  out.warnings = r.left_out;
  if (!(r.lesion_alpha_beta_gy > 0)) return Error::bad_argument("lesion a/b", "a positive a/b [Gy]", fmt::format("{}", r.lesion_alpha_beta_gy));
  // Dates first: nothing is segmented for a history that cannot be dated.
  std::vector<CalendarDate> study_dates, course_dates;
  for (const auto& s : r.studies) {
    auto d = parse_calendar_date(s.date);
    if (!d) return d.error().with_context("PET study " + s.series_uid);
    study_dates.push_back(*d);
  }
  for (const auto& c : r.courses) {
    auto d = parse_calendar_date(c.date);
    if (!d) return d.error().with_context("course " + c.plan_uid);
    course_dates.push_back(*d);
    if (c.fractions <= 0)
      return Error::bad_argument("course " + c.plan_uid, "a positive number of fractions", std::to_string(c.fractions));
  }

  // Segmentation of every study, two at a time.
  std::vector<std::optional<Expected<LesionsReport>>> reports(r.studies.size());
  std::vector<std::unique_ptr<StagedSeries>> staged;
  for (std::size_t n = 0; n < r.studies.size(); ++n) staged.push_back(std::make_unique<StagedSeries>(r.studies[n].pet_files, n));
  const auto request_of = [&](std::size_t n) { return lesions_request(r, r.studies[n], staged[n]->dir()); };
  {
    std::size_t next = 0;
    while (next < r.studies.size()) {
      std::thread worker;
      const std::size_t a = next++;
      if (r.parallel && next < r.studies.size()) {
        const std::size_t b = next++;
        worker = std::thread([&, b] { reports[b].emplace(run_lesions(request_of(b))); });
      }
      reports[a].emplace(run_lesions(request_of(a)));
      if (worker.joinable()) worker.join();
    }
  }
  for (std::size_t s = 0; s < r.studies.size(); ++s) {
    auto& rep = *reports[s];
    if (!rep) {  // the other studies still make a history: said, and left out
      out.warnings.push_back("PET study " + r.studies[s].series_uid + " of " + to_iso(study_dates[s]) +
                             " left out of the lesion history: " + rep.error().message());
      continue;
    }
    out.studies.push_back(keep_lesions(*rep, r.studies[s], study_dates[s], r.rules.segmentation, out.notes));
    out.study_series_uids.push_back(r.studies[s].series_uid);
    for (const auto& w : rep->warnings)
      if (w.rfind("plan folder: ", 0) != 0) out.warnings.push_back("PET " + r.studies[s].series_uid + ": " + w);
  }

  // Each course's context at every lesion of every study.
  std::vector<LesionCourse> courses;
  for (std::size_t c = 0; c < r.courses.size(); ++c) {
    const auto& in = r.courses[c];
    std::vector<CoursePtv> none;
    if (in.rtstruct_file.empty())
      out.warnings.push_back("course " + in.plan_uid + ": no RTSTRUCT: it treats no lesion in the lesion history");
    auto ptvs = in.rtstruct_file.empty() ? Expected<std::vector<CoursePtv>>(std::move(none)) : course_ptvs(in, out.warnings);
    if (!ptvs) return ptvs.error();
    if (!in.dose)
      out.warnings.push_back("course " + in.plan_uid + ": no dose: its treated and location rules use the PTVs only");
    LesionCourse lc;
    lc.plan_uid = in.plan_uid;
    lc.date = course_dates[c];
    const RigidMap to_course = in.to_reference.inverse();
    for (const auto& s : out.studies) {
      lc.context.emplace_back();
      for (const auto& l : s.lesions) lc.context.back().push_back(context_of(l, *ptvs, to_course, in.dose));
    }
    courses.push_back(std::move(lc));
    out.course_plan_uids.push_back(in.plan_uid);
    out.course_fractions.push_back(in.fractions);
  }
  auto h = build_lesion_history(out.studies, courses, r.rules.rules);
  if (!h) return h.error();
  out.history = std::move(*h);
  out.rules_text = describe_rules(r.rules.rules);

  // Cumulative EQD2 of each lesion at its dose appearance (a/b of the lesion, no recovery).
  for (const auto& t : out.history.lesions) {
    const LesionAppearance& a = dose_appearance(t, courses);
    const ResponseLesion& l = out.studies[a.study].lesions[a.lesion];
    LesionDoseSummary d;
    d.study = a.study;
    d.centre_mm = l.centroid;
    std::vector<double> total(l.points.size(), 0.0);
    std::vector<bool> outside(l.points.size(), false);
    for (std::size_t c = 0; c < courses.size(); ++c) {
      std::vector<double> e;
      const auto& pd = courses[c].context[a.study][a.lesion].point_dose_gy;
      for (std::size_t q = 0; q < pd.size(); ++q) {
        const double phys = pd[q].value_or(0.0);
        if (!pd[q]) outside[q] = true;
        const double v = eqd2_of_physical_dose(phys, r.courses[c].fractions, r.lesion_alpha_beta_gy);
        if (pd[q]) e.push_back(v);
        total[q] += v;
      }
      d.course_eqd2_d98_gy.push_back(d98_of(e));
      d.course_eqd2_mean_gy.push_back(mean_of(e));
    }
    d.points_outside_a_course_grid = int(std::count(outside.begin(), outside.end(), true));
    const bool any_dose = std::any_of(r.courses.begin(), r.courses.end(), [](const auto& c) { return c.dose != nullptr; });
    if (any_dose && !total.empty()) {
      d.cumulative_eqd2_d98_gy = d98_of(total);
      d.cumulative_eqd2_mean_gy = mean_of(total);
    }
    if (d.points_outside_a_course_grid > 0)
      out.notes.push_back(fmt::format("{}: {} of {} voxels outside a course's dose grid, counted as 0 Gy from it", t.id,
                                      d.points_outside_a_course_grid, l.points.size()));
    out.dose.push_back(std::move(d));
  }
  for (const auto& n : out.history.notes) out.notes.push_back(n);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace sbrtkit
