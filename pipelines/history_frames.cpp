// Placing a course's or a study's frame in the reference frame, and reading a course's dose
// (pipelines/history_steps.h).
#include <fmt/format.h>

#include <algorithm>

#include "pipelines/history_steps.h"
#include "sbrtkit/dicom/rtdose.h"
#include "sbrtkit/dicom/spatial_registration.h"
#include "sbrtkit/image_agreement.h"

namespace sbrtkit::history_detail {

RigidRegistrationOptions bounded_options(const ImageGeometry& reference_ct, RigidRegistrationOptions o) {
  // As response_report.cpp: about 40 000 random samples at the finest level (shrink 2 in 3-D) keep the
  // Mattes MI histogram populated and make a 512 x 512 CT cost what a 128 x 128 one does.
  const double finest_voxels = double(reference_ct.voxel_count()) / 8.0;
  if (finest_voxels > 0) o.sampling_fraction = std::clamp(40000.0 / finest_voxels, 0.01, o.sampling_fraction);
  return o;
}

Expected<Placement> place_frame(const std::string& what, const std::string& from_for, const std::string& reference_for,
                                const std::vector<std::filesystem::path>& registration_files,
                                const ImageSeries* reference_ct, const ImageSeries* moving_ct,
                                const RigidRegistrationOptions& options, double poor_correlation,
                                std::vector<std::string>& warnings) {
  Placement p;
  bool placed = false;
  if (from_for == reference_for) {
    p.registration.method = "same frame of reference";
    placed = true;
  }
  for (std::size_t f = 0; !placed && f < registration_files.size(); ++f) {
    auto sro = read_spatial_registration(registration_files[f]);
    if (!sro) {
      warnings.push_back("spatial registration object not used: " + sro.error().message());
      continue;
    }
    if (auto map = sro->map(from_for, reference_for)) {
      p.to_reference = *map;
      p.registration.method = "spatial registration";
      p.registration.file = registration_files[f].string();
      placed = true;
    }
  }
  if (!placed) {
    if (!moving_ct)
      return Error::inconsistent(what, "(0020,0052) FrameOfReferenceUID",
                                 "frame " + from_for + " differs from the reference frame " + reference_for +
                                     ", no Spatial Registration object links them and there is no CT in that frame "
                                     "to register");
    if (!reference_ct)
      return Error::inconsistent(what, "(0020,0052) FrameOfReferenceUID",
                                 "the reference course has no planning CT to register " + what + " onto");
    auto reg = register_rigid(reference_ct->values, moving_ct->values, options);
    if (!reg) return reg.error().with_context("rigid registration of " + what);
    p.to_reference = reg->moving_to_fixed;
    p.registration.method = "rigid registration";
    p.registration.metric_value = reg->metric_value;
    p.registration.iterations = reg->iterations;
    p.registration.stop_condition = reg->stop_condition;
  }
  // An independent look at the result (also for a registration object, whose matrix could be wrong).
  if (reference_ct && moving_ct && !reference_ct->values.voxels.empty() && !moving_ct->values.voxels.empty()) {
    const auto a = image_agreement(reference_ct->values, moving_ct->values, p.to_reference, 2);
    p.registration.correlation = a.correlation;
    p.registration.overlap_fraction = a.overlap_fraction;
    if (a.correlation < poor_correlation || a.overlap_fraction < 0.2) {
      p.registration.poor = true;
      warnings.push_back(fmt::format(
          "poor registration of {} ({}): CT-to-CT correlation {:.2f} (below {:.2f}) over {:.0f}% of the reference CT; "
          "check the mapping before using its dose",
          what, p.registration.method, a.correlation, poor_correlation, 100 * a.overlap_fraction));
    }
  }
  return p;
}

Expected<DoseVolume> read_course_dose(const CourseFiles& course, std::optional<double> prescription_gy,
                                      std::vector<std::string>& notes) {
  DoseVolume sum;
  for (std::size_t n = 0; n < course.dose_files.size(); ++n) {
    auto d = read_rtdose(course.dose_files[n]);
    if (!d) return d.error();
    if (d->units == RtDose::Units::relative) {
      if (!prescription_gy)
        return Error::bad_value(d->file, "(3004,0002) DoseUnits", "GY, or RELATIVE with a prescription in the RTPLAN",
                                "RELATIVE without a prescription");
      for (float& v : d->dose.voxels) v = float(v * *prescription_gy);
      notes.push_back(fmt::format("{}: RELATIVE dose read as a fraction of the plan's {:g} Gy", d->file, *prescription_gy));
    }
    if (d->dose_type == "ERROR")
      return Error::bad_value(d->file, "(3004,0004) DoseType", "PHYSICAL or EFFECTIVE", "ERROR (an uncertainty)");
    if (n == 0) {
      sum = std::move(d->dose);
      continue;
    }
    if (!d->dose.geometry.same_grid(sum.geometry, 1e-3))
      return Error::inconsistent(d->file, "(3004,000A) DoseSummationType BEAM",
                                 "its grid differs from that of " + course.dose_files.front().string() +
                                     ": BEAM doses are summed voxel by voxel and must share one grid");
    for (std::size_t v = 0; v < sum.voxels.size(); ++v) sum.voxels[v] += d->dose.voxels[v];
  }
  return sum;
}

}  // namespace sbrtkit::history_detail
