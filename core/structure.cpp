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

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

/// True when the star-free segment fits text at position at ('?' matches any one character).
bool fits(std::string_view segment, std::string_view text, std::size_t at) {
  for (std::size_t n = 0; n < segment.size(); ++n)
    if (segment[n] != '?' && lower(segment[n]) != lower(text[at + n])) return false;
  return true;
}

std::string_view trimmed(std::string_view s) {
  const auto a = s.find_first_not_of(' ');
  if (a == std::string_view::npos) return {};
  return s.substr(a, s.find_last_not_of(' ') - a + 1);
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  std::vector<std::string_view> segments;  // the literal runs between stars
  for (std::size_t start = 0;;) {
    const std::size_t star = pattern.find('*', start);
    segments.push_back(pattern.substr(start, star == std::string_view::npos ? std::string_view::npos : star - start));
    if (star == std::string_view::npos) break;
    start = star + 1;
  }
  const std::string_view first = segments.front(), last = segments.back();
  if (segments.size() == 1) return first.size() == text.size() && fits(first, text, 0);
  // The first run is anchored at the start, the last at the end; the runs between float.
  if (first.size() + last.size() > text.size()) return false;
  if (!fits(first, text, 0) || !fits(last, text, text.size() - last.size())) return false;
  std::size_t at = first.size();
  const std::size_t end = text.size() - last.size();
  for (std::size_t s = 1; s + 1 < segments.size(); ++s) {
    const std::string_view segment = segments[s];
    while (at + segment.size() <= end && !fits(segment, text, at)) ++at;
    if (at + segment.size() > end) return false;
    at += segment.size();
  }
  return true;
}

std::vector<const Structure*> StructureSet::select(std::string_view patterns) const {
  std::vector<std::string_view> items;
  for (std::size_t start = 0;;) {
    const std::size_t comma = patterns.find(',', start);
    const std::string_view item = trimmed(patterns.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (!item.empty()) items.push_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  constexpr std::string_view kType = "type:";
  std::vector<const Structure*> out;
  for (const auto& s : structures) {
    const bool hit = std::any_of(items.begin(), items.end(), [&](std::string_view item) {
      if (item.size() >= kType.size() && glob_match(kType, item.substr(0, kType.size())))
        return iequals(s.interpreted_type, std::string(item.substr(kType.size())));
      return glob_match(item, s.name);
    });
    if (hit) out.push_back(&s);
  }
  return out;
}

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

std::string ascii_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace sbrtkit
