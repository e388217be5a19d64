// Dose side of run_history: the accumulation grid, resampling, a/b and recovery maps, voxel-wise sums,
// per-structure statistics and the cumulative limits (pipelines/history_steps.h).
#include <fmt/format.h>

#include <cctype>
#include <map>
#include <memory>
#include <tuple>

#include "pipelines/history_steps.h"
#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/metric.h"
#include "sbrtkit/structure_occupancy.h"

namespace sbrtkit::history_detail {
namespace {

DoseStatistics statistics(const Dvh& dvh) {
  DoseStatistics s;
  static const Metric max = *parse_metric("Max[Gy]"), near_max = *parse_metric("D0.035cc[Gy]"),
                      mean = *parse_metric("Mean[Gy]");
  s.max_gy = evaluate(max, dvh, std::nullopt).value;
  s.d0_035cc_gy = evaluate(near_max, dvh, std::nullopt).value;
  s.mean_gy = evaluate(mean, dvh, std::nullopt).value;
  return s;
}

std::vector<CourseOnGrid> courses_on_grid(const HistoryReport& rep) {
  std::vector<CourseOnGrid> out;
  for (const auto& c : rep.courses) out.push_back({c.plan_uid, c.on_grid.dose_gy, c.on_grid.covered, c.fractions});
  return out;
}

/// A glob normalised as names are, keeping its wildcards ("Spinal_Cord*" -> "spinalcord*").
std::string normalised_glob(const std::string& p) {
  std::string q;
  for (unsigned char ch : p)
    if (ch == '*' || ch == '?' || std::isalnum(ch)) q.push_back(char(std::tolower(ch)));
  return q;
}

/// The first recovery rule whose pattern matches the structure's normalised name.
const RecoveryRule* recovery_rule(const Structure& s, const std::vector<RecoveryRule>& rules) {
  const std::string n = normalised_structure_name(s.name);
  for (const auto& r : rules)
    for (const auto& p : r.name_patterns)
      if (glob_match(normalised_glob(p), n)) return &r;
  return nullptr;
}

}  // namespace

Status accumulate_courses(HistoryReport& rep, const std::vector<DoseVolume>& doses, const AlphaBetaRules& rules,
                          double single_plane_thickness_mm) {
  std::vector<CourseGrid> grids;
  for (std::size_t c = 0; c < rep.courses.size(); ++c) grids.push_back({doses[c].geometry, rep.courses[c].to_reference});
  auto grid = union_dose_grid(doses[rep.reference_course].geometry, grids);
  if (!grid) return grid.error().with_context("accumulation grid");
  for (std::size_t c = 0; c < rep.courses.size(); ++c)
    rep.courses[c].on_grid = resample_dose(doses[c], rep.courses[c].to_reference, *grid);
  const Vec3 sp = grid->spacing_mm();
  rep.notes.push_back(fmt::format("accumulation grid {} x {} x {} voxels of {:g} x {:g} x {:g} mm (the reference dose "
                                  "grid's spacing and axes) covering every course's dose",
                                  grid->size()[0], grid->size()[1], grid->size()[2], sp.x, sp.y, sp.z));

  // Structures of the reference RTSTRUCT on the grid: a/b and recovery per voxel.
  const Volume<float> grid_image(*grid, 0.0f);
  const auto& set = rep.reference_structures.structures;
  std::vector<LesionVoxels> occupancy(set.size());
  std::vector<RegionValue> ab_regions, recovery_regions;
  std::vector<const Structure*> with_volume;
  std::vector<std::size_t> row_of;
  bool any_recovery = false;
  for (std::size_t i = 0; i < set.size(); ++i) {
    const Structure& s = set[i];
    HistoryStructure h;
    h.name = s.name;
    h.roi_number = s.roi_number;
    h.interpreted_type = s.interpreted_type;
    h.category = category_name(tissue_category(s));
    if (s.has_closed_contours()) {
      auto occ = structure_occupancy(s, RigidMap{}, grid_image);
      if (!occ) return occ.error().with_context("structure " + s.name);
      occupancy[i] = std::move(*occ);
      if (auto a = assign_alpha_beta(s, rules.table)) {
        h.alpha_beta_gy = a->alpha_beta_gy;
        h.alpha_beta_rule = a->rule;
        h.alpha_beta_source = a->source;
        ab_regions.push_back({&occupancy[i], a->alpha_beta_gy});
        if (const RecoveryRule* r = recovery_rule(s, rules.recovery)) {
          h.recovery_fraction = r->fraction;
          h.recovery_source = r->source;
          any_recovery |= r->fraction > 0;
        }
        // Every tissue structure takes part, with 0 when it has no rule: on overlaps the least recovery wins.
        recovery_regions.push_back({&occupancy[i], h.recovery_fraction});
      }
      with_volume.push_back(&s);
      row_of.push_back(rep.structures.size());
    }
    rep.structures.push_back(std::move(h));
  }
  // A voxel only partly inside the tissue structures (their occupancies summing below 1) holds tissue of
  // no structure too: `elsewhere` joins its minimum (a PTV's edge voxel is not all tumour).
  LesionVoxels partial;
  {
    std::vector<float> covered(std::size_t(grid->voxel_count()), 0.0f);
    for (const auto& region : ab_regions)
      for (std::size_t q = 0; q < region.occupancy->index.size(); ++q)
        covered[std::size_t(region.occupancy->index[q])] += region.occupancy->weight[q];
    for (std::size_t v = 0; v < covered.size(); ++v)
      if (covered[v] > 0 && covered[v] < 0.999f) {
        partial.index.push_back(std::int64_t(v));
        partial.weight.push_back(1.0f - covered[v]);
      }
  }
  ab_regions.push_back({&partial, rules.table.elsewhere_gy});
  auto ab_map = min_value_map(*grid, ab_regions, rules.table.elsewhere_gy);
  ab_regions.pop_back();
  if (!ab_map) return ab_map.error();
  std::optional<Volume<float>> recovery_map;
  if (any_recovery) {
    auto m = min_value_map(*grid, recovery_regions, 0.0);
    if (!m) return m.error();
    recovery_map = std::move(*m);
    rep.recovery_applied = true;
  }
  auto acc = accumulate_dose(courses_on_grid(rep), *ab_map, recovery_map ? &*recovery_map : nullptr);
  if (!acc) return acc.error();
  rep.accumulated = std::move(*acc);

  // Statistics: cumulative physical and EQD2, then each course physical and EQD2 (the voxel's a/b).
  DvhOptions options;
  options.single_plane_thickness_mm = single_plane_thickness_mm;
  auto dvhs_of = [&](const DoseVolume& dose) { return compute_dvhs(with_volume, DoseField(dose), options); };
  const auto phys = dvhs_of(rep.accumulated.physical_gy);
  const auto eqd2 = dvhs_of(rep.accumulated.eqd2_gy);
  for (std::size_t n = 0; n < with_volume.size(); ++n) {
    if (!phys[n]) return phys[n].error();
    if (!eqd2[n]) return eqd2[n].error();
    HistoryStructure& h = rep.structures[row_of[n]];
    h.volume_cc = phys[n]->dvh.total_volume_cc();
    h.cumulative_physical = statistics(phys[n]->dvh);
    h.cumulative_eqd2 = statistics(eqd2[n]->dvh);
  }
  for (std::size_t c = 0; c < rep.courses.size(); ++c) {
    const HistoryCourse& course = rep.courses[c];
    auto course_eqd2 = accumulate_dose({{course.plan_uid, course.on_grid.dose_gy, course.on_grid.covered, course.fractions}},
                                       *ab_map);
    if (!course_eqd2) return course_eqd2.error();
    const auto p = dvhs_of(course.on_grid.dose_gy);
    const auto e = dvhs_of(course_eqd2->eqd2_gy);
    std::vector<std::string> outside;
    for (std::size_t n = 0; n < with_volume.size(); ++n) {
      if (!p[n]) return p[n].error();
      if (!e[n]) return e[n].error();
      HistoryStructure& h = rep.structures[row_of[n]];
      StructureCourseDose d;
      d.plan_uid = course.plan_uid;
      const DoseStatistics ps = statistics(p[n]->dvh), es = statistics(e[n]->dvh);
      d.max_gy = ps.max_gy;
      d.d0_035cc_gy = ps.d0_035cc_gy;
      d.eqd2_max_gy = es.max_gy;
      d.eqd2_d0_035cc_gy = es.d0_035cc_gy;
      const std::size_t i = std::size_t(with_volume[n] - set.data());
      d.outside_grid_cc =
          uncovered_volume_mm3(occupancy[i], course.on_grid.covered) / 1000.0 + p[n]->dvh.outside_volume_cc();
      // Structures that take no part in EQD2 (BODY, couch, markers) are not worth a warning.
      if (d.outside_grid_cc > 1e-3 && h.alpha_beta_gy) outside.push_back(fmt::format("{} ({:.2f} cc)", h.name, d.outside_grid_cc));
      h.per_course.push_back(std::move(d));
    }
    if (!outside.empty()) {
      std::string list;
      for (const auto& o : outside) {
        if (!list.empty()) list += ", ";
        list += o;
      }
      rep.warnings.push_back(fmt::format("course {} (plan {}): structures reaching outside its calculated dose grid, "
                                         "counted as 0 Gy there: {}",
                                         c + 1, course.plan_uid, list));
    }
  }
  return ok();
}

Status judge_limits(HistoryReport& rep, const Protocol& protocol, double single_plane_thickness_mm) {
  DvhOptions options;
  options.single_plane_thickness_mm = single_plane_thickness_mm;
  const std::vector<CourseOnGrid> courses = courses_on_grid(rep);
  const Volume<float>* recovery = nullptr;
  Volume<float> recovery_map;
  if (rep.recovery_applied) {
    // Rebuilt from the structures' fractions as in accumulate_courses (least recovery on overlaps).
    std::vector<LesionVoxels> occ;
    occ.reserve(rep.reference_structures.structures.size());
    std::vector<RegionValue> regions;
    const Volume<float> grid_image(rep.accumulated.physical_gy.geometry, 0.0f);
    for (std::size_t i = 0; i < rep.reference_structures.structures.size(); ++i) {
      const auto& s = rep.reference_structures.structures[i];
      if (!rep.structures[i].alpha_beta_gy || !s.has_closed_contours()) continue;
      auto o = structure_occupancy(s, RigidMap{}, grid_image);
      if (!o) return o.error();
      occ.push_back(std::move(*o));
      regions.push_back({&occ.back(), rep.structures[i].recovery_fraction});
    }
    auto m = min_value_map(grid_image.geometry, regions, 0.0);
    if (!m) return m.error();
    recovery_map = std::move(*m);
    recovery = &recovery_map;
  }
  // Dose volumes by (course or cumulative, a/b or physical), made when first asked for.
  using Key = std::tuple<long, double>;  // course (-1: cumulative), a/b (0: physical)
  std::map<Key, std::unique_ptr<DoseVolume>> volumes;
  std::map<std::tuple<long, double, const Structure*>, std::optional<Dvh>> dvhs;
  auto volume = [&](long course, double ab) -> Expected<const DoseVolume*> {
    auto& slot = volumes[{course, ab}];
    if (slot) return slot.get();
    if (ab == 0) {
      slot = std::make_unique<DoseVolume>(course < 0 ? rep.accumulated.physical_gy
                                                     : rep.courses[std::size_t(course)].on_grid.dose_gy);
      return slot.get();
    }
    const Volume<float> uniform(rep.accumulated.physical_gy.geometry, float(ab));
    auto acc = course < 0 ? accumulate_dose(courses, uniform, recovery)
                          : accumulate_dose({courses[std::size_t(course)]}, uniform);
    if (!acc) return acc.error();
    slot = std::make_unique<DoseVolume>(std::move(acc->eqd2_gy));
    return slot.get();
  };
  LimitMetricSource source = [&](const LimitQuery& q) -> Expected<std::optional<double>> {
    const long course = q.course ? long(*q.course) : -1;
    const double ab = q.eqd2_alpha_beta_gy.value_or(0.0);
    auto& d = dvhs[{course, ab, q.structure}];
    if (!d) {
      auto v = volume(course, ab);
      if (!v) return v.error();
      auto dvh = compute_dvh(*q.structure, **v, options);
      if (!dvh) return dvh.error();
      d = dvh->dvh;
    }
    return evaluate(*q.metric, *d, std::nullopt).value;
  };
  std::vector<std::string> uids;
  std::vector<std::string> dates;
  for (const auto& c : rep.courses) {
    uids.push_back(c.plan_uid);
    dates.push_back(c.date);
  }
  auto rows = evaluate_cumulative_limits(protocol, rep.reference_structures, uids, source);
  if (!rows) return rows.error();
  rep.limits = std::move(*rows);
  for (const auto& r : rep.limits)
    if (r.scope == LimitScope::cumulative && r.passed && *r.passed && r.sum_of_courses_gy && r.limit_gy &&
        !satisfies(*r.sum_of_courses_gy, *parse_comparison(r.comparison), *r.limit_gy))
      rep.warnings.push_back(fmt::format(
          "{} {}: the voxel-wise cumulative value {:.2f} Gy passes the limit {:g} Gy, but the sum of the courses' own "
          "values ({:.2f} Gy, how {} added the courses) does not",
          r.structure, r.metric, *r.value_gy, *r.limit_gy, *r.sum_of_courses_gy, protocol.source));
  if (protocol.min_course_interval) {
    rep.min_course_interval = protocol.min_course_interval;
    rep.intervals = evaluate_course_intervals(*protocol.min_course_interval, uids, dates);
  }
  return ok();
}

}  // namespace sbrtkit::history_detail
