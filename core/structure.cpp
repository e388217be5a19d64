#include "sbrtkit/structure.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace sbrtkit {

bool Structure::has_closed_contours() const {
  return std::any_of(contours.begin(), contours.end(), [](const Contour& c) {
    return c.type == ContourType::closed_planar || c.type == ContourType::closed_planar_xor;
  });
}

bool Structure::is_planning_target() const {
  const auto upper = [](std::string t) {
    for (char& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return t;
  };
  return upper(interpreted_type) == "PTV" || upper(name).rfind("PTV", 0) == 0;
}

namespace {
bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}
}  // namespace

const Structure* StructureSet::find(const std::string& name_or_number) const {
  for (const auto& s : structures)
    if (s.name == name_or_number) return &s;
  for (const auto& s : structures)
    if (iequals(s.name, name_or_number)) return &s;
  int number = 0;
  const char* end = name_or_number.data() + name_or_number.size();
  auto [ptr, ec] = std::from_chars(name_or_number.data(), end, number);
  if (ec == std::errc() && ptr == end)
    for (const auto& s : structures)
      if (s.roi_number == number) return &s;
  return nullptr;
}

}  // namespace sbrtkit
