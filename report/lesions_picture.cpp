// `sbrtkit lesions`: a coronal MIP of the PET with every lesion tinted in its palette colour and its ID
// placed beside it, an SUV colour bar, a scale bar, a title (patient, study date, frame of reference) and
// a legend (ID, name, SUVmax, MTV, nearest PTV) below, for a look before the table.
#include <fmt/format.h>

#include <algorithm>

#include "io/output_file.h"
#include "report/mip_picture.h"
#include "sbrtkit/coronal_mip.h"
#include "sbrtkit/dicom/patient_study.h"
#include "sbrtkit/palette.h"
#include "sbrtkit/pipelines/lesions_report.h"

namespace sbrtkit {

Status write_lesions_mip_png(const std::filesystem::path& file, const LesionsReport& rep) {
  const Volume<float>& suv = rep.pet_suv;
  constexpr double kWindowSuv = 10;
  // Label = lesion id (ids above 255 share 255: the picture is for a look, the NRRD/SEG keep every id).
  std::vector<std::uint8_t> label(suv.voxels.size(), 0);
  for (const auto& l : rep.lesions)
    for (std::size_t q = 0; q < l.voxels.index.size(); ++q)
      if (l.voxels.weight[q] >= 0.5f && label[l.voxels.index[q]] == 0)
        label[l.voxels.index[q]] = static_cast<std::uint8_t>(std::min(l.id, 255));
  picture::MipPictureInput in;
  in.mip = coronal_mip(suv, label, kWindowSuv, [](std::uint8_t id) { return lesion_colour(id); });
  in.window_suv = kWindowSuv;
  in.suv_title = rep.suv.type == SuvType::lean_body_mass ? "SUL" : "SUVbw";
  PatientStudy study;
  if (!rep.pet_files.empty())
    if (auto st = read_patient_study(rep.pet_files.front())) study = *st;  // a title without them is still a picture
  in.title = {fmt::format("{} ({})   PET {}", study.patient_name.empty() ? "patient unnamed" : study.patient_name,
                          study.patient_id, picture::display_date(study.study_date)),
              fmt::format("coronal MIP, {} lesion(s); PET frame of reference {}", rep.lesions.size(),
                          rep.pet_frame_of_reference_uid)};
  for (const auto& l : rep.lesions) {
    const IndexPoint c = suv.geometry.to_index(l.uptake.centroid);  // the image's own frame
    const auto [px, py] = in.mip.pixel_of(c.i, c.k);
    in.labels.push_back({double(px), double(py), std::to_string(l.id), lesion_colour(l.id)});
    const std::string where =
        l.covering_ptv.empty() ? std::string("no PTV")
        : l.ptv_distance_mm && *l.ptv_distance_mm <= 0
            ? "in " + l.covering_ptv
            : fmt::format("{:.0f} mm from {}", l.ptv_distance_mm.value_or(0), l.covering_ptv);
    in.legend.push_back({lesion_colour(l.id), fmt::format("{}  {} ({})  SUVmax {:.1f}  MTV {:.2f} cc  {}", l.id, l.name,
                                                          l.source, l.uptake.suv_max, l.uptake.mtv_cc, where)});
  }
  auto picture = picture::draw_mip_picture(in);
  if (!picture) return picture.error();
  return write_file_atomically(file, picture->png);
}

}  // namespace sbrtkit
