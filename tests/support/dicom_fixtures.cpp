#include "dicom_fixtures.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcpath.h>
#include <dcmtk/dcmdata/dctk.h>
#include <stdlib.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <vector>

namespace sbrtkit::testing {

ScratchDir::ScratchDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "sbrtkit-test-XXXXXX").string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::array<Vec3, 2> orientation_for(const std::string& p) {
  if (p == "HFS") return {Vec3{1, 0, 0}, Vec3{0, 1, 0}};
  if (p == "FFS") return {Vec3{-1, 0, 0}, Vec3{0, 1, 0}};
  if (p == "HFP") return {Vec3{-1, 0, 0}, Vec3{0, -1, 0}};
  if (p == "FFP") return {Vec3{1, 0, 0}, Vec3{0, -1, 0}};
  if (p == "HFDL") return {Vec3{0, -1, 0}, Vec3{1, 0, 0}};
  if (p == "HFDR") return {Vec3{0, 1, 0}, Vec3{-1, 0, 0}};
  if (p == "FFDL") return {Vec3{0, 1, 0}, Vec3{1, 0, 0}};
  if (p == "FFDR") return {Vec3{0, -1, 0}, Vec3{-1, 0, 0}};
  throw std::invalid_argument("unknown patient position " + p);
}

ImageGeometry reoriented(const ImageGeometry& ref, const std::array<Vec3, 2>& row_column, bool reverse_slices) {
  const Vec3 normal = cross(row_column[0], row_column[1]);
  const std::array<Vec3, 3> axes{row_column[0], row_column[1], reverse_slices ? -1.0 * normal : normal};
  std::array<std::int64_t, 3> size{};
  double spacing[3]{};
  for (int a = 0; a < 3; ++a) {
    bool found = false;
    for (int b = 0; b < 3; ++b)
      if (std::abs(std::abs(dot(axes[std::size_t(a)], ref.axes()[std::size_t(b)])) - 1) < 1e-12) {
        size[std::size_t(a)] = ref.size()[std::size_t(b)];
        spacing[a] = b == 0 ? ref.spacing_mm().x : b == 1 ? ref.spacing_mm().y : ref.spacing_mm().z;
        found = true;
      }
    if (!found) throw std::invalid_argument("axes are not a signed permutation of the reference axes");
  }
  PatientPoint origin = ref.origin();
  double best = std::numeric_limits<double>::infinity();
  const Vec3 sum = axes[0] + axes[1] + axes[2];
  for (int c = 0; c < 8; ++c) {
    const PatientPoint corner = ref.to_patient(VoxelIndex{(c & 1) ? ref.size()[0] - 1 : 0,
                                                          (c & 2) ? ref.size()[1] - 1 : 0,
                                                          (c & 4) ? ref.size()[2] - 1 : 0});
    const double score = dot(corner - ref.origin(), sum);
    if (score < best) {
      best = score;
      origin = corner;
    }
  }
  return ImageGeometry(size, origin, Vec3{spacing[0], spacing[1], spacing[2]}, axes);
}

Volume<float> regrid(const Volume<float>& values, const ImageGeometry& target) {
  Volume<float> out(target);
  for (std::int64_t k = 0; k < target.size()[2]; ++k)
    for (std::int64_t j = 0; j < target.size()[1]; ++j)
      for (std::int64_t i = 0; i < target.size()[0]; ++i) {
        const VoxelIndex src = values.geometry.nearest_voxel(target.to_patient(VoxelIndex{i, j, k}));
        if (!values.geometry.contains(src)) throw std::invalid_argument("target grid is not the source grid");
        out.at(i, j, k) = values.at(src);
      }
  return out;
}

void truncate_file(const std::filesystem::path& file, double fraction) {
  const auto size = std::filesystem::file_size(file);
  std::filesystem::resize_file(file, static_cast<std::uintmax_t>(double(size) * fraction));
}

namespace {

template <class Edit>
void edit(const std::filesystem::path& file, Edit&& change) {
  DcmFileFormat ff;
  if (ff.loadFile(file.string().c_str()).bad()) throw std::runtime_error("cannot load " + file.string());
  ff.loadAllDataIntoMemory();
  const bool has_meta = ff.getMetaInfo() && ff.getMetaInfo()->card() > 0;
  const E_TransferSyntax xfer = ff.getDataset()->getOriginalXfer();
  change(ff.getDataset());
  const OFCondition c = ff.saveFile(file.string().c_str(), xfer, EET_ExplicitLength, EGL_recalcGL, EPD_noChange, 0,
                                    0, has_meta ? EWM_createNewMeta : EWM_dataset);
  if (c.bad()) throw std::runtime_error("cannot save " + file.string());
}

}  // namespace

void remove_attribute(const std::filesystem::path& file, const std::string& tag_path) {
  edit(file, [&](DcmDataset* ds) {
    DcmPathProcessor proc;
    Uint32 deleted = 0;
    if (proc.findOrDeletePath(ds, tag_path.c_str(), deleted).bad() || deleted == 0)
      throw std::runtime_error("no " + tag_path + " to remove");
  });
}

void set_attribute(const std::filesystem::path& file, const std::string& tag_path, const std::string& value) {
  edit(file, [&](DcmDataset* ds) {
    DcmPathProcessor proc;
    if (proc.findOrCreatePath(ds, tag_path.c_str(), OFTrue).bad())
      throw std::runtime_error("cannot create " + tag_path);
    OFList<DcmPath*> results;
    proc.getResults(results);
    for (DcmPath* path : results) {
      auto* el = dynamic_cast<DcmElement*>(path->back()->m_obj);
      if (!el || el->putString(value.c_str()).bad()) throw std::runtime_error("cannot set " + tag_path);
    }
  });
}

}  // namespace sbrtkit::testing
