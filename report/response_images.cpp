// Images of `sbrtkit response`: status label map (NRRD), DICOM SEG with named segments, coronal MIP PNG.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "response_voxels.h"
#include "sbrtkit/coronal_mip.h"
#include "sbrtkit/dicom/seg_writer.h"
#include "io/output_file.h"
#include "sbrtkit/io/nrrd_writer.h"
#include "report/mip_picture.h"
#include "sbrtkit/dicom/patient_study.h"
#include "sbrtkit/pipelines/response_report.h"

namespace sbrtkit {

std::vector<ResponseVoxels> response_voxels(const ResponseReport& rep) {
  std::vector<ResponseVoxels> out;
  const ImageGeometry& fg = rep.followup.report.pet_grid;
  const RigidMap planning_to_follow = rep.followup.report.mapping.to_planning.inverse();
  for (std::size_t n = 0; n < rep.assessment.lesions.size(); ++n) {
    const LesionResponse& row = rep.assessment.lesions[n];
    ResponseVoxels v;
    v.row = int(n);
    v.status = row.status;
    // The lesion's own voxels (weight >= 0.5), on the grid of the study it was seen in.
    const auto take = [&v](const LesionsReport& study, const LesionRow& l) {
      v.name = l.name;
      v.grid = &study.pet_grid;
      v.to_planning = study.mapping.to_planning;
      for (std::size_t q = 0; q < l.voxels.index.size(); ++q)
        if (l.voxels.weight[q] >= 0.5f) v.index.push_back(l.voxels.index[q]);
    };
    if (row.followup) {
      take(rep.followup.report, rep.followup.report.lesions[*row.followup]);
      v.followup_index = v.index;
    } else if (row.baseline) {
      take(rep.baseline.report, rep.baseline.report.lesions[*row.baseline]);
      // Onto the follow-up grid: nearest follow-up voxel of each baseline voxel centre.
      const ImageGeometry& bg = *v.grid;
      for (std::int64_t b : v.index) {
        const PatientPoint p = v.to_planning.apply(bg.to_patient(bg.index_of(b)));
        const VoxelIndex f = fg.nearest_voxel(planning_to_follow.apply(p));
        if (fg.contains(f)) v.followup_index.push_back(fg.linear_index(f));
      }
      std::sort(v.followup_index.begin(), v.followup_index.end());
      v.followup_index.erase(std::unique(v.followup_index.begin(), v.followup_index.end()), v.followup_index.end());
    }
    out.push_back(std::move(v));
  }
  return out;
}

Status write_status_label_map_nrrd(const std::filesystem::path& file, const ResponseReport& rep) {
  const ImageGeometry& g = rep.followup.report.pet_grid;
  std::vector<std::uint8_t> labels(static_cast<std::size_t>(g.voxel_count()), 0);
  // Follow-up lesions first, so a vanished lesion never hides a present one.
  auto voxels = response_voxels(rep);
  std::stable_sort(voxels.begin(), voxels.end(), [&](const ResponseVoxels& a, const ResponseVoxels& b) {
    return (a.status == ResponseStatus::complete_response) < (b.status == ResponseStatus::complete_response);
  });
  for (const auto& v : voxels)
    for (auto n : v.followup_index)
      if (labels[n] == 0) labels[n] = static_cast<std::uint8_t>(v.status);
  NrrdHeaderText text{.comments = {"sbrtkit response status label map on the follow-up PET grid"},
                      .key_values = {{"frame_of_reference_uid", rep.followup.report.pet_frame_of_reference_uid}}};
  for (int c = 1; c <= kResponseStatusCount; ++c) {
    const auto status = static_cast<ResponseStatus>(c);
    const StatusRgb rgb = status_colour(status);
    text.comments.push_back(fmt::format("label {} = {} (RGB {} {} {})", c, status_name(status), rgb.r, rgb.g, rgb.b));
    text.key_values.emplace_back(fmt::format("label{}", c), status_name(status));
  }
  return write_nrrd_labels(file, g, labels, text);
}

Status write_status_seg(const std::filesystem::path& file, const ResponseReport& rep) {
  SegInput seg;
  seg.source_files = rep.followup.report.pet_files;
  seg.grid = rep.followup.report.pet_grid;
  seg.series_number = output_series::response_seg;
  seg.series_description = "sbrtkit response";
  for (const auto& v : response_voxels(rep)) {
    if (v.followup_index.empty()) continue;
    SegSegment s;
    s.label = v.name + " " + status_name(v.status);
    s.source = "PET";
    s.index = v.followup_index;
    s.weight.assign(s.index.size(), 1.0f);
    const StatusRgb c = status_colour(v.status);
    s.colour = {c.r, c.g, c.b};
    seg.segments.push_back(std::move(s));
  }
  if (seg.segments.empty()) return ok();
  return write_lesion_seg(file, seg);
}

Status write_status_mip_png(const std::filesystem::path& file, const ResponseReport& rep) {
  const Volume<float>& suv = rep.followup.report.pet_suv;
  const ImageGeometry& g = suv.geometry;
  constexpr double kWindowSuv = 10;
  // Status per follow-up voxel (present lesions over vanished ones).
  const auto rows = response_voxels(rep);
  std::vector<std::uint8_t> label(static_cast<std::size_t>(g.voxel_count()), 0);
  for (const auto& v : rows)
    for (auto n : v.followup_index)
      if (label[n] == 0 || v.status != ResponseStatus::complete_response) label[n] = static_cast<std::uint8_t>(v.status);
  picture::MipPictureInput in;
  in.mip = coronal_mip(suv, label, kWindowSuv, [](std::uint8_t code) {
    const StatusRgb c = status_colour(static_cast<ResponseStatus>(code));
    return Rgb{c.r, c.g, c.b};
  });
  in.window_suv = kWindowSuv;
  in.suv_title = rep.followup.report.suv.type == SuvType::lean_body_mass ? "SUL" : "SUVbw";
  CoronalMip& mip = in.mip;
  const int w = mip.image.width, h_img = mip.image.height;
  const Vec3 sp = g.spacing_mm();
  // PTV silhouettes: each contour's extent along i at its k, in the follow-up PET frame.
  const RigidMap to_pet = rep.followup.report.mapping.to_planning.inverse();
  struct Span {
    double k, i0, i1;
  };
  std::vector<Span> spans;
  double half_slab_k = 0.5;
  for (const auto& s : rep.ptvs) {
    std::vector<double> zs;
    for (const auto& c : s.contours) {
      if (c.points.empty()) continue;
      double i0 = 1e300, i1 = -1e300, ks = 0;
      for (const auto& p : c.points) {
        const IndexPoint q = g.to_index(to_pet.apply(p));
        i0 = std::min(i0, q.i);
        i1 = std::max(i1, q.i);
        ks += q.k;
      }
      spans.push_back({ks / double(c.points.size()), i0, i1});
      zs.push_back(c.points.front().z);
    }
    std::sort(zs.begin(), zs.end());
    zs.erase(std::unique(zs.begin(), zs.end(), [](double a, double b) { return std::abs(a - b) < 0.01; }), zs.end());
    for (std::size_t n = 1; n < zs.size(); ++n) half_slab_k = std::max(half_slab_k, 0.5 * (zs[n] - zs[n - 1]) / sp.z);
  }
  std::vector<std::uint8_t> ptv_mask(static_cast<std::size_t>(w) * h_img, 0);
  for (int py = 0; py < h_img; ++py)
    for (int px = 0; px < w; ++px) {
      const auto [ci, ck] = mip.index_at(px, py);
      for (const auto& s : spans)
        if (std::abs(s.k - ck) <= half_slab_k && ci >= s.i0 && ci <= s.i1) {
          ptv_mask[std::size_t(py) * w + px] = 1;
          break;
        }
    }
  // The silhouettes' edge pixels, in the MIP's own raster (so they stay under the labels).
  const Rgb ptv_colour{0, 170, 200};
  for (int py = 0; py < h_img; ++py)
    for (int px = 0; px < w; ++px) {
      if (!ptv_mask[std::size_t(py) * w + px]) continue;
      bool edge = px == 0 || py == 0 || px == w - 1 || py == h_img - 1;
      for (auto [dx, dy] : {std::pair{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
        const int x = px + dx, y = py + dy;
        if (x >= 0 && y >= 0 && x < w && y < h_img && !ptv_mask[std::size_t(y) * w + x]) edge = true;
      }
      if (!edge) continue;
      std::uint8_t* p = mip.image.pixel(px, py);
      p[0] = ptv_colour.r;
      p[1] = ptv_colour.g;
      p[2] = ptv_colour.b;
    }
  // Labels: each row's name at the centre of its voxels on the follow-up grid (vanished lesions mapped).
  for (const auto& v : rows) {
    if (v.followup_index.empty()) continue;
    double si = 0, sk = 0;
    for (auto n : v.followup_index) {
      const VoxelIndex q = g.index_of(n);
      si += double(q.i);
      sk += double(q.k);
    }
    const auto [px, py] = mip.pixel_of(si / double(v.followup_index.size()), sk / double(v.followup_index.size()));
    const StatusRgb c = status_colour(v.status);
    in.labels.push_back({double(px), double(py), v.name, Rgb{c.r, c.g, c.b}});
  }
  PatientStudy study;
  if (!rep.followup.report.pet_files.empty())
    if (auto st = read_patient_study(rep.followup.report.pet_files.front())) study = *st;
  in.title = {fmt::format("{} ({})   follow-up PET {}", study.patient_name.empty() ? "patient unnamed" : study.patient_name,
                          study.patient_id, picture::display_date(study.study_date)),
              fmt::format("response status, coronal MIP of the follow-up; its frame of reference {}",
                          rep.followup.report.pet_frame_of_reference_uid)};
  for (int code = 1; code <= kResponseStatusCount; ++code) {
    const auto status = static_cast<ResponseStatus>(code);
    const StatusRgb c = status_colour(status);
    std::string name = status_name(status);
    std::replace(name.begin(), name.end(), '_', ' ');
    in.legend.push_back({Rgb{c.r, c.g, c.b}, name});
  }
  in.legend.push_back({ptv_colour, "PTV silhouette (planning frame mapped to the follow-up)", true});
  auto picture = picture::draw_mip_picture(in);
  if (!picture) return picture.error();
  return write_file_atomically(file, picture->png);
}

}  // namespace sbrtkit
