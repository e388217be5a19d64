#pragma once
/// Values as every JSON and CSV output writes them, so that the tables of dvh, qa, check, lesions,
/// response and batch agree: a missing number is JSON null and an empty CSV cell (never 0, never NaN),
/// a present one keeps 6 significant digits in CSV; file paths are stored relative to the output's root
/// when they lie under it.

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace sbrtkit {

inline nlohmann::json json_number(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

inline std::string csv_number(const std::optional<double>& v) { return v ? fmt::format("{:.6g}", *v) : std::string(); }

/// A CSV cell with a fixed number of decimals (mm to 0.01, SUV to 0.0001), empty when missing.
inline std::string csv_fixed(const std::optional<double>& v, int decimals) {
  return v ? fmt::format("{:.{}f}", *v, decimals) : std::string();
}

/// `file` relative to `root` (generic separators), or `file` itself when it is not under root.
inline std::string path_under(const std::filesystem::path& file, const std::filesystem::path& root) {
  std::error_code ec;
  const auto rel = std::filesystem::relative(file, root, ec);
  if (ec || rel.empty() || rel.native().rfind("..", 0) == 0) return file.generic_string();
  return rel.generic_string();
}

}  // namespace sbrtkit
