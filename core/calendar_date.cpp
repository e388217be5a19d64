// Calendar days: parsing, ISO printing, differences. See include/sbrtkit/calendar_date.h.
#include "sbrtkit/calendar_date.h"

#include <cstdio>

namespace sbrtkit {

bool is_leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return 0;
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

Expected<CalendarDate> parse_calendar_date(std::string_view text) {
  const auto bad = [&](const char* expected) {
    std::string quoted = "'";
    quoted.append(text).push_back('\'');
    return Error::bad_value("", "date", expected, quoted);
  };
  const bool iso = text.size() == 10 && text[4] == '-' && text[7] == '-';
  if (!iso && text.size() != 8) return bad("YYYY-MM-DD or YYYYMMDD");
  std::string digits;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (!(iso && (i == 4 || i == 7))) digits.push_back(text[i]);
  for (char c : digits)
    if (c < '0' || c > '9') return bad("YYYY-MM-DD or YYYYMMDD");
  const auto num = [&](int pos, int len) {
    int v = 0;
    for (int i = pos; i < pos + len; ++i) v = 10 * v + (digits[static_cast<std::size_t>(i)] - '0');
    return v;
  };
  CalendarDate d{num(0, 4), num(4, 2), num(6, 2)};
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month))
    return bad("a date that exists in the Gregorian calendar");
  return d;
}

long days_since_epoch(const CalendarDate& date) {
  // H. Hinnant's days_from_civil: shifts the year to start on 1 March so that the leap day is last.
  int y = date.year - (date.month <= 2 ? 1 : 0);
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153L * (date.month + (date.month > 2 ? -3 : 9)) + 2) / 5 + date.day - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int days_between(const CalendarDate& from, const CalendarDate& to) {
  return static_cast<int>(days_since_epoch(to) - days_since_epoch(from));
}

std::string to_iso(const CalendarDate& d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

}  // namespace sbrtkit
