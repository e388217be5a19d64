#pragma once
/// Protocol files: versioned YAML a physicist can read and edit (schema in docs/check-json.md and in
/// the bundled protocols/*.yaml). Strict: an unknown key, a metric that does not parse, a number that is
/// not a number, an invalid regular expression is an error naming the file, line and column and why.
///
/// Bundled protocols are looked up in, in order: $SBRTKIT_PROTOCOLS, the source tree's protocols/
/// (compiled in), and <directory of the executable>/../share/sbrtkit/protocols (an installed tree).

#include <filesystem>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/protocol.h"

namespace sbrtkit {

/// Reads and validates one protocol file (organ-limit includes are resolved next to it, then in the
/// bundled directory).
Expected<Protocol> load_protocol_file(const std::filesystem::path& file);

/// A bundled protocol by id ("tg101-3fx", with or without ".yaml"), or a path to a file.
Expected<Protocol> load_protocol(const std::string& name_or_file);

/// The directory of bundled protocols in use; an error when none of the candidates exists.
Expected<std::filesystem::path> bundled_protocols_dir();

/// Every bundled protocol, sorted by id; files that fail to load are returned as errors alongside.
struct ProtocolListing {
  std::vector<Protocol> protocols;
  std::vector<Error> broken;
};
Expected<ProtocolListing> list_bundled_protocols();

}  // namespace sbrtkit
