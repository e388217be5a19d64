#pragma once
/// ROI-name patterns of protocols ("spinal.?cord", "femur_?head_?(l|r|left|right)", "PTV.*"): the
/// ECMAScript regular-expression syntax physicists already write, matched against the whole ROI name,
/// case-insensitively (ASCII), in time linear in the name's length whatever the pattern.
///
/// Why not std::regex: it backtracks, and a pattern such as "(a+)+$" or "(.*)*x" takes exponential time
/// on a name that almost matches (issue 20: a protocol hung `check` for over a minute). Here a pattern is
/// compiled once, at protocol load, into a Thompson automaton and simulated state-set by state-set
/// (O(name length x pattern states), no backtracking). The subset is what a name needs:
///   literals, `.`, classes `[a-z_]`, `[^0-9]`, escapes \d \w \s \D \W \S and escaped punctuation,
///   groups `( )` and `(?: )`, alternation `|`, quantifiers `* + ?` `{m}` `{m,}` `{m,n}` (lazy forms
///   accepted: for a whole-name match they match the same names), anchors `^` `$`.
/// Refused with a load error naming the construct: back-references (\1), look-around ((?= (?! (?<),
/// word boundaries (\b), patterns longer than kMaxRoiPatternLength or compiling to more than
/// kMaxRoiPatternStates states (a{1000}{1000}), repetition counts above kMaxRoiPatternRepeat.
///
///   auto p = RoiPattern::compile("spinal.?cord");   // Expected<RoiPattern>
///   p->matches("Spinal_Cord")                        // true; "Spinal_Cord_PRV" false (whole name)

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "sbrtkit/expected.h"

namespace sbrtkit {

inline constexpr std::size_t kMaxRoiPatternLength = 256;   // characters of pattern text
inline constexpr std::size_t kMaxRoiPatternStates = 4096;  // automaton states after expanding {m,n}
inline constexpr int kMaxRoiPatternRepeat = 100;           // largest m or n in {m,n}

class RoiPattern {
 public:
  /// Errors (ErrorCode::bad_value, tag "pattern"): the syntax error or refused construct and its
  /// position, e.g. "expected a closing ')' for the group opened at character 1, found the end".
  static Expected<RoiPattern> compile(std::string_view pattern);

  /// True when the whole name matches (ASCII letters compared without case; other bytes as they are).
  bool matches(std::string_view name) const;
  const std::string& text() const { return text_; }

  struct Program;  // the compiled automaton (roi_pattern.cpp)

 private:
  RoiPattern(std::string text, std::shared_ptr<const Program> program)
      : text_(std::move(text)), program_(std::move(program)) {}
  std::string text_;
  std::shared_ptr<const Program> program_;  // immutable: copies share it, matching is thread-safe
};

}  // namespace sbrtkit
