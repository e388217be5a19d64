// `sbrtkit lesions` use case: reads the plan and the PET, maps the PET frame into the planning frame,
// finds lesions (ROIs and/or PET segmentation), measures uptake on the PET grid and dose on the plan.
#include "sbrtkit/pipelines/lesions_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>

#include "sbrtkit/contour_stack.h"
#include "sbrtkit/dicom/dicom_index.h"
#include "sbrtkit/dicom/image_series.h"
#include "sbrtkit/dicom/pet_suv.h"
#include "sbrtkit/dicom/rtdose.h"
#include "sbrtkit/dicom/rtplan.h"
#include "sbrtkit/dicom/rtstruct.h"
#include "sbrtkit/dicom/spatial_registration.h"
#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/metric.h"
#include "sbrtkit/radiobiology.h"
#include "sbrtkit/structure_samples.h"

namespace sbrtkit {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool glob_match(const std::string& pattern, const std::string& text) {
  // Iterative '*' / '?' matcher with backtracking to the last star.
  std::size_t p = 0, t = 0, star = std::string::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : list + ",") {
    if (c == ',') {
      const auto a = cur.find_first_not_of(' '), b = cur.find_last_not_of(' ');
      if (a != std::string::npos) out.push_back(cur.substr(a, b - a + 1));
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

/// Structures selected by "glob,glob,type:GTV".
std::vector<const Structure*> select_structures(const StructureSet& set, const std::string& patterns) {
  std::vector<const Structure*> out;
  const auto items = split(patterns);
  for (const auto& s : set.structures) {
    bool hit = false;
    for (const auto& item : items) {
      if (lower(item).rfind("type:", 0) == 0)
        hit = hit || lower(s.interpreted_type) == lower(item.substr(5));
      else
        hit = hit || glob_match(lower(item), lower(s.name));
    }
    if (hit && s.has_closed_contours()) out.push_back(&s);
  }
  return out;
}

Structure transformed(const Structure& s, const RigidMap& m) {
  Structure t = s;
  for (auto& c : t.contours)
    for (auto& p : c.points) p = m.apply(p);
  return t;
}

/// Fractional occupancy of a structure (planning frame) on the PET grid.
Expected<LesionVoxels> occupancy_on_grid(const Structure& s, const RigidMap& planning_to_pet,
                                         const Volume<float>& pet) {
  DvhOptions o;
  o.target_samples = 200000;
  auto samples = sample_structure(transformed(s, planning_to_pet), pet, o);
  if (!samples) return samples.error().with_context("ROI '" + s.name + "'");
  const auto& g = pet.geometry;
  std::map<std::int64_t, double> occ;
  for (std::size_t n = 0; n < samples->points.size(); ++n) {
    const VoxelIndex v = g.nearest_voxel(samples->points[n]);
    if (g.contains(v)) occ[g.linear_index(v)] += samples->weight_mm3[n] / g.voxel_volume_mm3();
  }
  LesionVoxels out;
  for (const auto& [n, w] : occ) {
    out.index.push_back(n);
    out.weight.push_back(static_cast<float>(std::min(1.0, w)));
  }
  return out;
}

// ---- signed distance to a contour stack (exact for the union of the planes' prisms) -------------

struct Planar {
  double u, v;
};
double seg_dist(Planar p, Planar a, Planar b) {
  const double dx = b.u - a.u, dy = b.v - a.v;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((p.u - a.u) * dx + (p.v - a.v) * dy) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  const double ex = a.u + t * dx - p.u, ey = a.v + t * dy - p.v;
  return std::sqrt(ex * ex + ey * ey);
}
// Inside (even-odd over all loops) and the distance to the nearest loop edge.
std::pair<bool, double> in_plane(const ContourPlane& plane, Planar p) {
  bool inside = false;
  double d = std::numeric_limits<double>::infinity();
  for (const auto& loop : plane.loops) {
    for (std::size_t i = 0, j = loop.size() - 1; i < loop.size(); j = i++) {
      const auto& a = loop[i];
      const auto& b = loop[j];
      if ((a.v > p.v) != (b.v > p.v) && p.u < (b.u - a.u) * (p.v - a.v) / (b.v - a.v) + a.u) inside = !inside;
      d = std::min(d, seg_dist(p, {a.u, a.v}, {b.u, b.v}));
    }
  }
  return {inside, d};
}
double signed_distance(const ContourStack& s, PatientPoint x) {
  const Vec3 r = x - s.origin;
  const Planar p{dot(r, s.u_axis), dot(r, s.v_axis)};
  const double w = dot(r, s.normal);
  bool inside = false;
  double out_d = std::numeric_limits<double>::infinity(), in_d = out_d;
  for (const auto& plane : s.planes) {
    const double dz = w < plane.slab_low_mm ? plane.slab_low_mm - w : w > plane.slab_high_mm ? w - plane.slab_high_mm : 0;
    const auto [in, edge] = in_plane(plane, p);
    if (in && dz == 0) inside = true;
    out_d = std::min(out_d, std::hypot(dz, in ? 0.0 : edge));  // distance to this prism
    in_d = std::min(in_d, std::hypot(dz, in ? edge : 0.0));    // distance to this slab's outside
  }
  if (!s.planes.empty()) in_d = std::min({in_d, w - s.planes.front().slab_low_mm, s.planes.back().slab_high_mm - w});
  return inside ? -in_d : out_d;
}

// ---- dose ----------------------------------------------------------------------------------------


/// DVH of a PET lesion: each voxel (weight >= 0.5) sub-sampled 3 x 3 x 3, mapped to the planning frame.
Dvh lesion_dvh(const ImageGeometry& pet, const LesionVoxels& lesion, const RigidMap& pet_to_planning,
               const DoseVolume& dose, double bin_gy, std::optional<std::pair<int, double>> eqd2,
               double* eqd2_mean) {
  const int sub = 3;
  const double w_sample = pet.voxel_volume_mm3() / (sub * sub * sub);
  std::vector<double> bins;
  double outside = 0, mn = std::numeric_limits<double>::infinity(), mx = -mn, sum = 0, vol = 0, eq_sum = 0;
  const std::int64_t nx = pet.size()[0], ny = pet.size()[1];
  for (std::size_t q = 0; q < lesion.index.size(); ++q) {
    if (lesion.weight[q] < 0.5f) continue;
    const std::int64_t n = lesion.index[q];
    const IndexPoint c{double(n % nx), double((n / nx) % ny), double(n / (nx * ny))};
    for (int a = 0; a < sub; ++a)
      for (int b = 0; b < sub; ++b)
        for (int e = 0; e < sub; ++e) {
          const IndexPoint s{c.i + (a + 0.5) / sub - 0.5, c.j + (b + 0.5) / sub - 0.5, c.k + (e + 0.5) / sub - 0.5};
          auto d = dose_at(dose, pet_to_planning.apply(pet.to_patient(s)));
          if (!d) {
            outside += w_sample;
            continue;
          }
          const double dv = std::max(0.0, *d);
          const auto bin = static_cast<std::size_t>(dv / bin_gy);
          if (bin >= bins.size()) bins.resize(bin + 1, 0.0);
          bins[bin] += w_sample;
          mn = std::min(mn, dv);
          mx = std::max(mx, dv);
          sum += dv * w_sample;
          vol += w_sample;
          if (eqd2) eq_sum += eqd2_of_physical_dose(dv, eqd2->first, eqd2->second) * w_sample;
        }
  }
  if (eqd2_mean && vol > 0) *eqd2_mean = eq_sum / vol;
  if (vol <= 0) return Dvh(bin_gy, {}, outside, 0, 0, 0);
  return Dvh(bin_gy, bins, outside, mn, mx, sum / vol);
}

LesionDose dose_metrics(const Dvh& dvh, std::optional<double> rx_gy, std::optional<int> fractions,
                        std::optional<double> alpha_beta, std::optional<double> eqd2_mean) {
  LesionDose d;
  d.outside_dose_grid_cc = dvh.outside_volume_cc();
  auto eval = [&](const char* text) -> std::optional<double> {
    auto m = parse_metric(text);
    return m ? evaluate(*m, dvh, rx_gy).value : std::nullopt;
  };
  d.mean_gy = eval("Mean[Gy]");
  d.min_gy = eval("Min[Gy]");
  d.max_gy = eval("Max[Gy]");
  d.d98_gy = eval("D98%[Gy]");
  d.d95_gy = eval("D95%[Gy]");
  d.d50_gy = eval("D50%[Gy]");
  d.d2_gy = eval("D2%[Gy]");
  d.d0_03cc_gy = eval("D0.03cc[Gy]");
  d.v100_pct = eval("V100%[%]");
  if (alpha_beta && fractions && d.d95_gy) {
    // D95 of a BED/EQD2 DVH is the BED/EQD2 of D95: the conversion is monotonic in dose.
    if (auto b = bed_gy(*d.d95_gy, *fractions, *alpha_beta)) d.bed_d95_gy = *b;
    if (auto e = eqd2_gy(*d.d95_gy, *fractions, *alpha_beta)) d.eqd2_d95_gy = *e;
    d.eqd2_mean_gy = eqd2_mean;
  }
  return d;
}

// ---- inputs --------------------------------------------------------------------------------------

std::vector<std::filesystem::path> series_files(const DicomIndex& index, const std::string& modality,
                                                const std::string& series_uid) {
  std::vector<std::filesystem::path> out;
  for (const auto& f : index.files)
    if (f.modality == modality && (series_uid.empty() || f.series_instance_uid == series_uid)) out.push_back(f.path);
  return out;
}

Expected<std::vector<std::filesystem::path>> pet_series_files(const std::filesystem::path& dir) {
  const DicomIndex index = index_directory(dir);
  std::vector<std::string> series;
  for (const auto& f : index.files)
    if (f.modality == "PT" && std::find(series.begin(), series.end(), f.series_instance_uid) == series.end())
      series.push_back(f.series_instance_uid);
  if (series.empty()) return Error::bad_argument("--pet", "a folder with a PET (PT) series", dir.string());
  if (series.size() > 1)
    return Error::bad_argument("--pet", "a folder with one PET series",
                               fmt::format("{} series: {}", series.size(), fmt::join(series, ", ")));
  return series_files(index, "PT", series.front());
}

/// CT series with the given frame of reference under dir (recursively).
std::vector<std::filesystem::path> ct_in_frame(const std::filesystem::path& dir, const std::string& for_uid) {
  const DicomIndex index = index_directory(dir);
  std::string series;
  for (const auto& f : index.files)
    if (f.modality == "CT" && f.frame_of_reference_uid == for_uid) {
      series = f.series_instance_uid;
      break;
    }
  return series.empty() ? std::vector<std::filesystem::path>{} : series_files(index, "CT", series);
}

std::vector<std::filesystem::path> registration_objects(const std::vector<std::filesystem::path>& dirs) {
  std::vector<std::filesystem::path> out;
  for (const auto& d : dirs)
    for (const auto& f : index_directory(d).files)
      if (f.modality == "REG") out.push_back(f.path);
  return out;
}

Expected<FrameMapping> map_pet_frame(const LesionsRequest& r, const std::string& pet_for, const std::string& plan_for,
                                     const std::vector<std::filesystem::path>& planning_ct) {
  FrameMapping m;
  if (r.registration == "none") {
    m.method = "none (--registration none): PET coordinates taken as planning coordinates";
    if (pet_for != plan_for) m.notes.push_back("the PET frame of reference differs from the plan's");
    return m;
  }
  if (r.registration != "auto" && r.registration != "rigid") {
    auto sro = read_spatial_registration(r.registration);
    if (!sro) return sro.error();
    auto map = sro->map(pet_for, plan_for);
    if (!map)
      return Error::inconsistent(r.registration, "(0070,0308) RegistrationSequence",
                                 "does not link the PET frame " + pet_for + " to the planning frame " + plan_for);
    m.to_planning = *map;
    m.method = "spatial registration " + r.registration;
    return m;
  }
  if (r.registration == "auto") {
    if (pet_for == plan_for) {
      m.method = "same frame of reference";
      return m;
    }
    for (const auto& file : registration_objects({r.plan_dir, r.pet_dir})) {
      auto sro = read_spatial_registration(file);
      if (!sro) {  // not applied, and said: a broken object must not pass unnoticed
        m.notes.push_back("spatial registration not used: " + sro.error().message());
        continue;
      }
      if (auto map = sro->map(pet_for, plan_for)) {
        m.to_planning = *map;
        m.method = "spatial registration " + file.string();
        return m;
      }
    }
  }
  // Rigid registration of the PET study's CT onto the planning CT.
  std::vector<std::filesystem::path> pet_ct;
  if (r.pet_ct_dir) {
    pet_ct = ct_in_frame(*r.pet_ct_dir, pet_for);
    if (pet_ct.empty())
      return Error::bad_argument("--pet-ct", "a CT series in the PET's frame of reference " + pet_for,
                                 r.pet_ct_dir->string());
  } else {
    pet_ct = ct_in_frame(r.pet_dir.parent_path(), pet_for);
    if (pet_ct.empty())
      return Error::bad_argument("--pet-ct",
                                 "the PET study's CT (the PET frame differs from the plan's and no spatial "
                                 "registration links them)",
                                 "no CT in the PET's frame next to " + r.pet_dir.string());
  }
  if (planning_ct.empty())
    return Error::bad_argument("--plan", "the planning CT series (for registration)", "no image series in the plan");
  auto fixed = read_image_series(planning_ct);
  if (!fixed) return fixed.error();
  auto moving = read_image_series(pet_ct);
  if (!moving) return moving.error();
  auto reg = register_rigid(fixed->values, moving->values, r.registration_options);
  if (!reg) return reg.error();
  m.to_planning = reg->moving_to_fixed;
  m.method = "rigid registration (ITK Mattes MI, versor rigid) of the PET study's CT to the planning CT";
  m.metric_value = reg->metric_value;
  m.notes.push_back(fmt::format("registration: {} iterations at the last level, {}", reg->iterations,
                                reg->stop_condition));
  return m;
}

}  // namespace

Expected<LesionsReport> run_lesions(const LesionsRequest& r) {
  LesionsReport rep;
  // Plan.
  const DicomIndex plan_index = index_directory(r.plan_dir);
  auto bundle = select_plan(find_plans(plan_index), r.plan_uid);
  if (!bundle) return bundle.error();
  if (!bundle->rtstruct) return Error::bad_argument("--plan", "a plan folder with an RTSTRUCT", r.plan_dir.string());
  rep.plan_uid = bundle->plan_uid();
  rep.rtstruct = bundle->rtstruct->path.string();
  auto structures = read_rtstruct(bundle->rtstruct->path);
  if (!structures) return structures.error();
  std::optional<PlanInfo> plan;
  if (bundle->rtplan) {
    rep.rtplan = bundle->rtplan->path.string();
    auto p = read_rtplan(bundle->rtplan->path);
    if (!p) return p.error();
    plan = *p;
  }
  std::optional<RtDose> dose;
  if (!bundle->rtdoses.empty()) {
    rep.rtdose = bundle->rtdoses.front().path.string();
    auto d = read_rtdose(bundle->rtdoses.front().path);
    if (!d) return d.error();
    if (d->units != RtDose::Units::gy)
      rep.warnings.push_back("RTDOSE in RELATIVE units: dose columns are relative");
    dose = std::move(*d);
  } else {
    rep.warnings.push_back("no RTDOSE in the plan folder: dose columns are empty");
  }

  // PET in SUV.
  auto pet_files = pet_series_files(r.pet_dir);
  if (!pet_files) return pet_files.error();
  auto pet = read_pet_suv(*pet_files, r.suv_overrides, r.suv_type);
  if (!pet) return pet.error();
  rep.suv = pet->calibration;
  rep.pet_series_uid = pet->series.series_instance_uid;
  rep.pet_frame_of_reference_uid = pet->series.frame_of_reference_uid;
  rep.pet_sop_instance_uids = pet->series.sop_instance_uids;
  rep.pet_grid = pet->suv.geometry;
  {
    // File paths in slice order (the SOP instance UIDs are in slice order).
    const DicomIndex pi = index_directory(r.pet_dir);
    std::map<std::string, std::filesystem::path> by_uid;
    for (const auto& f : pi.files) by_uid[f.sop_instance_uid] = f.path;
    for (const auto& uid : rep.pet_sop_instance_uids) rep.pet_files.push_back(by_uid[uid]);
  }

  // Frames.
  auto mapping = map_pet_frame(r, pet->series.frame_of_reference_uid, structures->frame_of_reference_uid,
                               bundle->image_files);
  if (!mapping) return mapping.error();
  rep.mapping = *mapping;
  const RigidMap pet_to_planning = rep.mapping.to_planning;
  const RigidMap planning_to_pet = pet_to_planning.inverse();

  // Exclusion mask on the PET grid (hot organs grown by the margin; see exclusion_mask).
  std::optional<MaskVolume> exclude;
  if (!r.exclude_rois.empty()) {
    const auto rois = select_structures(*structures, r.exclude_rois);
    if (rois.empty()) rep.warnings.push_back("--exclude '" + r.exclude_rois + "' matches no ROI");
    std::vector<LesionVoxels> organs;
    for (const Structure* s : rois) {
      auto occ = occupancy_on_grid(*s, planning_to_pet, pet->suv);
      if (!occ) return occ.error();
      organs.push_back(std::move(*occ));
    }
    ExclusionMask ex = exclusion_mask(pet->suv, organs, r.segmentation.seed_suv, r.exclude_margin_mm);
    std::vector<std::string> grown;
    for (std::size_t o = 0; o < rois.size(); ++o) {
      rep.notes.push_back(fmt::format("excluded from segmentation: ROI '{}' (SUVmax {:.3g})", rois[o]->name,
                                      ex.suv_max[o]));
      if (ex.grown[o]) grown.push_back(rois[o]->name);
    }
    if (!grown.empty())
      rep.notes.push_back(fmt::format("grown by {:g} mm for their spill-out (SUVmax >= seed SUV {:g}): {}",
                                      r.exclude_margin_mm, r.segmentation.seed_suv, fmt::join(grown, ", ")));
    exclude = std::move(ex.mask);
  }

  const PeakKernel kernel = make_peak_kernel(pet->suv.geometry);
  const MaskVolume* excluded = exclude ? &*exclude : nullptr;
  LesionSetOptions measure;
  measure.mtv_percent = r.mtv_percent;
  measure.sub_voxel = r.mtv_sub_voxel;
  measure.segmentation = r.segmentation;
  std::vector<std::pair<LesionRow, const Structure*>> rows;
  // ROI lesions.
  if (!r.rois.empty()) {
    const auto rois = select_structures(*structures, r.rois);
    if (rois.empty()) return Error::bad_argument("--rois", "a pattern matching at least one ROI", r.rois);
    std::vector<LesionVoxels> voxels;
    for (const Structure* s : rois) {
      auto occ = occupancy_on_grid(*s, planning_to_pet, pet->suv);
      if (!occ) return occ.error();
      voxels.push_back(std::move(*occ));
    }
    const auto uptake = measure_lesion_set(pet->suv, voxels, excluded, kernel, measure);
    for (std::size_t l = 0; l < rois.size(); ++l) {
      LesionRow row;
      row.source = "RTSTRUCT";
      row.name = rois[l]->name;
      row.uptake = uptake[l];
      row.threshold_suv = row.uptake.mtv_threshold_suv;
      row.voxels = std::move(voxels[l]);
      if (row.uptake.volume_cc <= 0) row.warnings.push_back("ROI lies outside the PET field of view");
      rows.emplace_back(std::move(row), rois[l]);
    }
  }
  // PET lesions.
  if (r.segment) {
    SegmentationOptions so = r.segmentation;
    so.mode = *r.segment;
    std::optional<LiverReference> liver;
    if (so.mode == ThresholdMode::liver && r.stated_liver) {
      liver = r.stated_liver;
      rep.notes.push_back(fmt::format("liver reference stated on the command line: SUV mean {:g}, SD {:g}",
                                      liver->mean_suv, liver->sd_suv));
    } else if (so.mode == ThresholdMode::liver) {
      const auto rois = select_structures(*structures, r.liver_roi);
      if (rois.empty()) return Error::bad_argument("--liver-roi", "an ROI name matching the liver", r.liver_roi);
      auto occ = occupancy_on_grid(*rois.front(), planning_to_pet, pet->suv);
      if (!occ) return occ.error();
      liver = liver_reference(pet->suv, *occ);
      rep.notes.push_back(fmt::format("liver reference from ROI '{}': SUV mean {:.4g}, SD {:.4g}, {:.1f} cc",
                                      rois.front()->name, liver->mean_suv, liver->sd_suv, liver->volume_cc));
    }
    auto seg = segment_lesions(pet->suv, excluded, so, liver);
    if (!seg) return seg.error();
    for (const auto& n : seg->notes) rep.notes.push_back(n);
    const auto uptake = measure_lesion_set(pet->suv, seg->lesions, excluded, kernel, measure, &*seg);
    for (std::size_t l = 0; l < seg->lesions.size(); ++l) {
      LesionRow row;
      row.source = "PET";
      row.uptake = uptake[l];
      row.threshold_suv = seg->threshold_suv[l];
      row.voxels = std::move(seg->lesions[l]);
      rows.emplace_back(std::move(row), nullptr);
    }
  }

  // PET lesions inside an RTSTRUCT lesion: the ROI holding the hottest voxel (occupancy >= 0.5).
  for (auto& [pet_row, pet_roi] : rows) {
    if (pet_row.source != "PET") continue;
    const std::int64_t hottest = pet->suv.geometry.linear_index(pet_row.uptake.suv_max_voxel);
    for (const auto& [roi_row, roi] : rows) {
      if (roi_row.source != "RTSTRUCT") continue;
      const auto& v = roi_row.voxels;
      const auto it = std::lower_bound(v.index.begin(), v.index.end(), hottest);
      if (it != v.index.end() && *it == hottest && v.weight[std::size_t(it - v.index.begin())] >= 0.5f) {
        pet_row.in_roi = roi_row.name;
        break;
      }
    }
  }

  // Placement, covering PTV, dose.
  struct Ptv {
    const Structure* s;
    ContourStack stack;
    std::optional<double> rx;
  };
  std::vector<Ptv> ptvs;
  for (const auto& s : structures->structures) {
    if (!s.is_planning_target() || !s.has_closed_contours())
      continue;
    auto st = build_contour_stack(s, EndCap::half, 0);
    if (!st) return st.error();
    std::optional<double> rx;
    if (plan)
      for (const auto& dr : plan->dose_references)
        if (dr.referenced_roi_number && *dr.referenced_roi_number == s.roi_number) rx = dr.target_prescription_gy;
    ptvs.push_back({&s, std::move(*st), rx});
  }
  std::optional<DoseField> field;
  if (dose) field.emplace(dose->dose);
  const std::optional<int> fractions = plan ? plan->fractions : std::nullopt;
  int id = 0;
  for (auto& [row, roi] : rows) {
    row.id = ++id;
    if (row.name.empty()) row.name = fmt::format("PET_{}", row.id);
    const ImageGeometry& g = pet->suv.geometry;
    row.centroid_planning = pet_to_planning.apply(row.uptake.centroid);
    row.suv_peak_planning = pet_to_planning.apply(g.to_patient(row.uptake.suv_peak.centre));
    // PERCIST's sphere is centred in the lesion but may reach beyond it: above SUVmax, it is measuring a
    // hotter neighbour (another lesion, an organ), which the reader should know.
    if (row.uptake.suv_peak.suv > row.uptake.suv_max)
      row.warnings.push_back(fmt::format("SUVpeak {:.3g} above SUVmax {:.3g}: the 1 cc sphere takes in hotter tissue "
                                         "next to the lesion",
                                         row.uptake.suv_peak.suv, row.uptake.suv_max));
    double best = std::numeric_limits<double>::infinity();
    for (const auto& p : ptvs) {
      const double d = signed_distance(p.stack, row.centroid_planning);
      if (d < best) {
        best = d;
        row.covering_ptv = p.s->name;
        row.ptv_distance_mm = d;
        row.prescription_gy = p.rx;
      }
    }
    if (!row.prescription_gy && plan) row.prescription_gy = plan->prescription_gy();
    row.fractions = fractions;
    if (!field) continue;
    std::optional<double> eqd2_mean;
    std::optional<std::pair<int, double>> eq;
    if (r.alpha_beta_gy && fractions) eq = std::make_pair(*fractions, *r.alpha_beta_gy);
    if (roi) {
      auto dvh = compute_dvh(*roi, *field);
      if (!dvh) return dvh.error().with_context("ROI '" + roi->name + "'");
      if (eq) {
        DvhOptions o;
        auto samples = sample_structure(*roi, dose->dose, o);
        if (samples && samples->covered_volume_mm3() > 0) {
          double s = 0;
          for (std::size_t n = 0; n < samples->dose_gy.size(); ++n)
            s += eqd2_of_physical_dose(samples->dose_gy[n], eq->first, eq->second) * samples->weight_mm3[n];
          eqd2_mean = s / samples->covered_volume_mm3();
        }
      }
      row.dose = dose_metrics(dvh->dvh, row.prescription_gy, fractions, r.alpha_beta_gy, eqd2_mean);
      for (const auto& w : dvh->warnings) row.warnings.push_back(w);
    } else {
      double em = 0;
      const Dvh dvh = lesion_dvh(g, row.voxels, pet_to_planning, dose->dose, 0.001, eq, eq ? &em : nullptr);
      if (eq) eqd2_mean = em;
      row.dose = dose_metrics(dvh, row.prescription_gy, fractions, r.alpha_beta_gy, eqd2_mean);
    }
    if (row.dose.outside_dose_grid_cc > 0)
      row.warnings.push_back(fmt::format("{:.3f} cc outside the dose grid", row.dose.outside_dose_grid_cc));
  }
  for (auto& [row, roi] : rows) rep.lesions.push_back(std::move(row));
  rep.notes.push_back("PET measured on its native grid; centroids in planning-frame patient coordinates (LPS, mm)");
  rep.pet_suv = std::move(pet->suv);  // kept for the pictures: the PET is not read twice
  return rep;
}

}  // namespace sbrtkit
