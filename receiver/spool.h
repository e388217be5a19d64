#pragma once
// The spool: where an acknowledged object lives. An object is written to a temporary name in its
// series folder, fsync'ed, renamed to <SOP UID>.dcm and the folder fsync'ed, all before the C-STORE
// success goes back, so a kill at any instant loses nothing the sender was told is stored.
#include <filesystem>
#include <string>
#include <string_view>

#include "sbrtkit/expected.h"

class DcmDataset;

namespace sbrtkit::receiver {

/// A UID usable as a file name: 1-64 characters of digits and dots (PS3.5 9.1).
bool is_valid_uid(std::string_view uid);

struct SpoolPlace {
  std::filesystem::path study_dir, file;  // DIR/incoming/<patient>/<study>, .../<series>/<SOP>.dcm
};

/// Where the dataset goes. Errors name the missing or invalid attribute (the object is then refused).
Expected<SpoolPlace> spool_place(const std::filesystem::path& incoming, DcmDataset& dataset);

enum class StoreOutcome { stored, duplicate };
/// Writes the dataset (with a new file meta header, in its received transfer syntax) durably at place.file;
/// an existing file of the same SOP instance is kept (the duplicate is not written again).
Expected<StoreOutcome> store_durably(const SpoolPlace& place, DcmDataset& dataset);

}  // namespace sbrtkit::receiver
