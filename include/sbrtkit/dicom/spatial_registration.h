#pragma once
/// DICOM Spatial Registration Storage (rigid): RegistrationSequence (0070,0308) items, each with a
/// FrameOfReferenceUID and a MatrixRegistrationSequence (0070,0309) > MatrixSequence (0070,030A) of
/// 4 x 4 FrameOfReferenceTransformationMatrix (3006,00C6), which map that frame's coordinates into the
/// registration's own frame (the object's FrameOfReferenceUID, PS3.3 C.20.2). Several matrices in one
/// item are applied in sequence order.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/registration.h"

namespace sbrtkit {

struct SpatialRegistration {
  std::string file;
  std::string frame_of_reference_uid;  // the registered (common) frame
  struct Item {
    std::string frame_of_reference_uid;
    RigidMap to_registered;
  };
  std::vector<Item> items;

  /// The map from frame `from` to frame `to` when the object links them (either one may be the common
  /// frame), nullopt otherwise.
  std::optional<RigidMap> map(const std::string& from, const std::string& to) const;
};

/// Errors: not a Spatial Registration object, missing sequences or matrices, a matrix type other than
/// RIGID (unsupported), a matrix whose 3 x 3 part is not a rotation (bad_value, 1e-4 tolerance).
Expected<SpatialRegistration> read_spatial_registration(const std::filesystem::path& file);

}  // namespace sbrtkit
