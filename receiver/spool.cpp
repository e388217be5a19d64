// The durable spool (spool.h).
#include "spool.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "sbrtkit/receiver/receiver.h"

namespace sbrtkit::receiver {
namespace fs = std::filesystem;
namespace {

std::string string_of(DcmDataset& d, const DcmTagKey& tag) {
  OFString value;
  if (d.findAndGetOFString(tag, value).bad()) return {};
  std::string s = value.c_str();
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

Expected<std::string> uid_of(DcmDataset& d, const DcmTagKey& tag, const char* name) {
  std::string uid = string_of(d, tag);
  const std::string tag_text = fmt::format("({:04X},{:04X}) {}", tag.getGroup(), tag.getElement(), name);
  if (uid.empty()) return Error::missing_tag("", tag_text);
  if (!is_valid_uid(uid)) return Error::bad_value("", tag_text, "a UID (digits and dots, at most 64)", uid);
  return uid;
}

Status fsync_path(const fs::path& p, int flags) {
  const int fd = ::open(p.c_str(), flags);
  if (fd < 0) return Error::io(p.string(), std::string("open for fsync: ") + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) return Error::io(p.string(), std::string("fsync: ") + std::strerror(saved));
  return ok();
}

/// Creates the missing folders of dir, fsync'ing each parent so that the new entries survive a crash.
Status make_folders_durably(const fs::path& dir) {
  if (fs::is_directory(dir)) return ok();
  if (auto s = make_folders_durably(dir.parent_path()); !s) return s;
  std::error_code ec;
  fs::create_directory(dir, ec);
  if (ec && !fs::is_directory(dir)) return Error::io(dir.string(), "cannot create folder: " + ec.message());
  return fsync_path(dir.parent_path(), O_RDONLY | O_DIRECTORY);
}

}  // namespace

bool is_valid_uid(std::string_view uid) {
  if (uid.empty() || uid.size() > 64 || uid.front() == '.' || uid.back() == '.') return false;
  for (char c : uid)
    if (!(c == '.' || (c >= '0' && c <= '9'))) return false;
  return uid.find("..") == std::string_view::npos;
}

Expected<SpoolPlace> spool_place(const fs::path& incoming, DcmDataset& dataset) {
  auto study = uid_of(dataset, DCM_StudyInstanceUID, "StudyInstanceUID");
  if (!study) return study.error();
  auto series = uid_of(dataset, DCM_SeriesInstanceUID, "SeriesInstanceUID");
  if (!series) return series.error();
  auto sop = uid_of(dataset, DCM_SOPInstanceUID, "SOPInstanceUID");
  if (!sop) return sop.error();
  SpoolPlace place;
  place.study_dir = incoming / safe_patient_folder(string_of(dataset, DCM_PatientID)) / *study;
  place.file = place.study_dir / *series / (*sop + ".dcm");
  return place;
}

Expected<StoreOutcome> store_durably(const SpoolPlace& place, DcmDataset& dataset) {
  const fs::path dir = place.file.parent_path();
  if (auto s = make_folders_durably(dir); !s) return s.error();
  if (fs::exists(place.file)) return StoreOutcome::duplicate;
  static std::atomic<unsigned long> counter{0};
  const fs::path temp = dir / fmt::format(".{}.{}.{}.tmp", place.file.filename().string(), ::getpid(), ++counter);
  // DcmFileFormat takes the dataset over for the write and gives it back: the caller keeps ownership.
  DcmFileFormat file(&dataset, OFFalse);
  E_TransferSyntax xfer = dataset.getOriginalXfer();
  if (xfer == EXS_Unknown) xfer = EXS_LittleEndianExplicit;
  const OFCondition written = file.saveFile(temp.c_str(), xfer, EET_ExplicitLength,
                                           EGL_recalcGL, EPD_noChange, 0, 0, EWM_createNewMeta);
  file.getAndRemoveDataset();
  if (written.bad()) {
    std::error_code ec;
    fs::remove(temp, ec);
    return Error::io(temp.string(), std::string("write: ") + written.text());
  }
  if (auto s = fsync_path(temp, O_RDONLY); !s) return s.error();
  std::error_code ec;
  fs::rename(temp, place.file, ec);
  if (ec) {
    fs::remove(temp, ec);
    return Error::io(place.file.string(), "rename: " + ec.message());
  }
  if (auto s = fsync_path(dir, O_RDONLY | O_DIRECTORY); !s) return s.error();
  return StoreOutcome::stored;
}

}  // namespace sbrtkit::receiver
