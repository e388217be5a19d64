#pragma once
// JSON outputs checked against their schema in docs/schemas/ (tests/support/validate_schema.py, Debian's
// python3-jsonschema): the schema is the contract a user's script relies on.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

namespace sbrtkit::testing {

/// Empty when `instance` validates against docs/schemas/<schema_name>; otherwise every violation.
inline std::string schema_violations(const std::string& schema_name, const std::filesystem::path& instance) {
  const std::string source = SBRTKIT_SOURCE_DIR;
  const std::string cmd = "python3 '" + source + "/tests/support/validate_schema.py' '" + source + "/docs/schemas/" +
                          schema_name + "' '" + instance.string() + "' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) return "cannot run " + cmd;
  std::string out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
  const int status = pclose(pipe.release());
  return status == 0 ? std::string() : (out.empty() ? "validator failed: " + cmd : out);
}

}  // namespace sbrtkit::testing
