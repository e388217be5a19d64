// Spool folder names from PatientID (receiver.h safe_patient_folder) and AE title parsing.
#include <fmt/format.h>

#include "sbrtkit/pipelines/batch.h"
#include "core/fnv1a64.h"
#include "sbrtkit/receiver/receiver.h"

namespace sbrtkit {
namespace {
bool is_safe_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}
}  // namespace

std::string safe_patient_folder(std::string_view patient_id) {
  // Trailing spaces are DICOM padding, not part of the ID.
  while (!patient_id.empty() && (patient_id.back() == ' ' || patient_id.back() == '\0')) patient_id.remove_suffix(1);
  if (patient_id.empty()) return "no-patient-id";
  bool safe = patient_id.size() <= 64 && patient_id.front() != '.' && patient_id.find("..") == std::string_view::npos;
  for (char c : patient_id) safe = safe && is_safe_char(c);
  if (safe) return std::string(patient_id);
  std::string name;
  // Dots go too, so that no rewritten name is ".", "..", hidden, or holds "..".
  for (char c : patient_id.substr(0, 48)) name += is_safe_char(c) && c != '.' ? c : '_';
  return fmt::format("{}~{:08x}", name, static_cast<std::uint32_t>(detail::fnv1a64(patient_id)));
}

Expected<AllowedPeer> parse_allowed_peer(std::string_view text) {
  AllowedPeer peer;
  const auto at = text.find('@');
  std::string_view ae = text.substr(0, at);
  if (at != std::string_view::npos) {
    std::string_view host = text.substr(at + 1);
    if (host.empty()) return Error::bad_argument("--allow", "AE@HOST with a host after '@'", std::string(text));
    peer.host = std::string(host);
  }
  if (ae.empty() || ae.size() > 16)
    return Error::bad_argument("--allow", "an AE title of 1 to 16 characters", std::string(text));
  for (char c : ae)
    if (c == '\\' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
      return Error::bad_argument("--allow", "an AE title without '\\' or control characters", std::string(text));
  peer.ae_title = std::string(ae);
  return peer;
}

}  // namespace sbrtkit
