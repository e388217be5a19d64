#pragma once
/// A calendar day (proleptic Gregorian) for follow-up arithmetic: parsing "YYYY-MM-DD" (and the DICOM DA
/// form "YYYYMMDD"), printing ISO, and day differences. Times of day are not part of it on purpose:
/// intervals between a plan and a scan are counted in whole days, as trial endpoints are.
///
///   auto plan = parse_calendar_date("2024-01-22");      // Expected<CalendarDate>
///   auto scan = parse_calendar_date("20240715");
///   int days = days_between(*plan, *scan);              // 175

#include <compare>
#include <string>
#include <string_view>

#include "sbrtkit/expected.h"

namespace sbrtkit {

struct CalendarDate {
  int year = 1970, month = 1, day = 1;
  friend auto operator<=>(const CalendarDate&, const CalendarDate&) = default;
};

/// True for Gregorian leap years (divisible by 4, except centuries not divisible by 400).
bool is_leap_year(int year);
int days_in_month(int year, int month);

/// "YYYY-MM-DD" or "YYYYMMDD" (DICOM DA). Errors (bad_value, tag "date"): anything else, or a day that does
/// not exist (2023-02-29, 2024-13-01).
Expected<CalendarDate> parse_calendar_date(std::string_view text);

/// Days since 1970-01-01 (negative before).
long days_since_epoch(const CalendarDate& date);
/// Signed number of days from `from` to `to` (to - from).
int days_between(const CalendarDate& from, const CalendarDate& to);
/// "YYYY-MM-DD".
std::string to_iso(const CalendarDate& date);

}  // namespace sbrtkit
