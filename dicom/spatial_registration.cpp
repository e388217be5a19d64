#include "sbrtkit/dicom/spatial_registration.h"

#include <fmt/format.h>

#include <cmath>

#include "dicom_common.h"

namespace sbrtkit {

using detail::ItemView;

namespace {
// DS text keeps ~16 significant digits, but systems often write 6-8; 1e-4 accepts those and rejects
// scaling or shear (a 1% scale gives 1e-2).
constexpr double kRotationTol = 1e-4;

bool is_rotation(const std::array<double, 9>& r) {
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) {
      double d = 0;
      for (int k = 0; k < 3; ++k) d += r[3 * k + a] * r[3 * k + b];
      if (std::abs(d - (a == b ? 1.0 : 0.0)) > kRotationTol) return false;
    }
  const double det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) +
                     r[2] * (r[3] * r[7] - r[4] * r[6]);
  return det > 0;
}
}  // namespace

std::optional<RigidMap> SpatialRegistration::map(const std::string& from, const std::string& to) const {
  auto to_common = [&](const std::string& uid) -> std::optional<RigidMap> {
    if (uid == frame_of_reference_uid) return RigidMap{};
    for (const auto& item : items)
      if (item.frame_of_reference_uid == uid) return item.to_registered;
    return std::nullopt;
  };
  auto a = to_common(from), b = to_common(to);
  if (!a || !b) return std::nullopt;
  return b->inverse().after(*a);
}

Expected<SpatialRegistration> read_spatial_registration(const std::filesystem::path& file) {
  auto loaded = detail::load_dicom(file);
  if (!loaded) return loaded.error();
  const ItemView ds(loaded->dataset, loaded->path);
  if (auto st = detail::check_object_kind(ds, "REG", {UID_SpatialRegistrationStorage}, "Spatial Registration");
      !st)
    return st.error();
  SpatialRegistration out;
  out.file = loaded->path;
  auto for_uid = ds.required_string(DCM_FrameOfReferenceUID);
  if (!for_uid) return for_uid.error();
  out.frame_of_reference_uid = *for_uid;
  const auto regs = ds.sequence(DCM_RegistrationSequence);
  if (regs.empty()) return ds.missing(DCM_RegistrationSequence);
  for (const auto& reg : regs) {
    auto uid = reg.required_string(DCM_FrameOfReferenceUID);
    if (!uid) return uid.error();
    SpatialRegistration::Item item{*uid, {}};
    const auto mrs = reg.sequence(DCM_MatrixRegistrationSequence);
    if (mrs.empty()) return reg.missing(DCM_MatrixRegistrationSequence);
    const auto matrices = mrs[0].sequence(DCM_MatrixSequence);
    if (matrices.empty()) return mrs[0].missing(DCM_MatrixSequence);
    for (const auto& m : matrices) {
      const std::string type = m.string(DCM_FrameOfReferenceTransformationMatrixType);
      if (type != "RIGID")
        return Error::unsupported(out.file, m.tag(DCM_FrameOfReferenceTransformationMatrixType),
                                  fmt::format("matrix type '{}': only RIGID registrations are applied", type));
      auto v = m.required_numbers(DCM_FrameOfReferenceTransformationMatrix, 16);
      if (!v) return v.error();
      RigidMap step;
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) step.rotation[3 * i + j] = (*v)[4 * i + j];
      }
      step.translation_mm = {(*v)[3], (*v)[7], (*v)[11]};
      if (!is_rotation(step.rotation) || std::abs((*v)[15] - 1) > kRotationTol || std::abs((*v)[12]) > kRotationTol ||
          std::abs((*v)[13]) > kRotationTol || std::abs((*v)[14]) > kRotationTol)
        return m.bad(DCM_FrameOfReferenceTransformationMatrix, "a rigid matrix (rotation, translation, last row 0 0 0 1)",
                     fmt::format("{}", fmt::join(*v, "\\")));
      item.to_registered = step.after(item.to_registered);
    }
    out.items.push_back(std::move(item));
  }
  return out;
}

}  // namespace sbrtkit
