#pragma once
/// `sbrtkit serve`: a DICOM Storage SCP that keeps every object it acknowledged and runs check, qa and
/// report on every plan that is complete (RTPLAN + its RTSTRUCT + RTDOSE(s) + the CT series, and no new
/// object for the study for `idle_seconds`). Layout of the output folder:
///   DIR/incoming/<patient>/<study UID>/<series UID>/<SOP UID>.dcm   the spool (fsync'ed before success)
///   DIR/results/<patient>/<plan UID>/{check.json,qa.json,report.html,inputs.txt}, previous/<n>/
///   DIR/results.sqlite                                               the `batch` schema (docs/batch.md)
///
///   ServeOptions o;  o.out_dir = "spool";  o.port = 11112;
///   auto server = Receiver::create(o);     // binds, loads the protocol: errors before anything runs
///   server->run(stop_flag);                // until stop_flag becomes true (SIGINT/SIGTERM in the CLI)

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sbrtkit/expected.h"

namespace sbrtkit {

/// One `--allow` entry: a calling AE title, and the peer's IP address when given (AE@HOST).
struct AllowedPeer {
  std::string ae_title;
  std::optional<std::string> host;
};
/// Parses "AE" or "AE@HOST"; AE titles are 1-16 characters without backslash or control characters.
Expected<AllowedPeer> parse_allowed_peer(std::string_view text);

struct ServeOptions {
  std::filesystem::path out_dir;
  std::uint16_t port = 11112;
  std::string ae_title = "SBRTKIT";
  std::string bind_address = "127.0.0.1";
  std::vector<AllowedPeer> allow;  // empty: every calling AE title
  std::optional<std::string> protocol;  // bundled id or YAML file; none: no check.json
  double idle_seconds = 5;
  int max_associations = 8;
  std::uint64_t max_object_bytes = 2ull << 30;  // larger objects get status A700 (out of resources)
};

/// The spool folder name of a PatientID: the ID itself when it is already a safe name (letters, digits,
/// '-', '_', '.', not starting with '.', no "..", at most 64 characters), otherwise the ID's first 48
/// characters with every one but letters, digits, '-' and '_' replaced by '_' plus "~" and 8 hex digits of the ID's hash, so that two different IDs never
/// share a folder ('~' never appears in an ID kept as is). An empty ID gives "no-patient-id".
std::string safe_patient_folder(std::string_view patient_id);

class Receiver {
 public:
  /// Checks the options, creates the folders, opens results.sqlite and loads the protocol.
  static Expected<std::unique_ptr<Receiver>> create(const ServeOptions& options);
  virtual ~Receiver() = default;
  /// Listens, stores, processes complete plans (first those already complete in the spool) until `stop`
  /// is set; then lets the open associations and the plan in progress finish. Errors: the port cannot be
  /// bound.
  virtual Status run(const std::atomic<bool>& stop) = 0;
};

}  // namespace sbrtkit
