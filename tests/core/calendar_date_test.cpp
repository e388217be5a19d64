// Calendar dates against hand counts of days (month lengths added up on paper).
#include "sbrtkit/calendar_date.h"

#include <gtest/gtest.h>

namespace sbrtkit {
namespace {

CalendarDate date(const char* text) {
  auto d = parse_calendar_date(text);
  EXPECT_TRUE(d) << text;
  return d ? *d : CalendarDate{};
}

TEST(CalendarDate, ParsesIsoAndDicomForms) {
  EXPECT_EQ(date("2024-01-22"), (CalendarDate{2024, 1, 22}));
  EXPECT_EQ(date("20240715"), (CalendarDate{2024, 7, 15}));
  EXPECT_EQ(to_iso(date("20000229")), "2000-02-29");
}

TEST(CalendarDate, LeapYearRule) {
  EXPECT_TRUE(is_leap_year(2024));
  EXPECT_TRUE(is_leap_year(2000));   // century divisible by 400
  EXPECT_FALSE(is_leap_year(1900));  // century not divisible by 400
  EXPECT_FALSE(is_leap_year(2023));
  EXPECT_EQ(days_in_month(2024, 2), 29);
  EXPECT_EQ(days_in_month(2100, 2), 28);
}

TEST(CalendarDate, DayDifferencesMatchHandCounts) {
  // 1970-01-01 is day 0; 2000-01-01: 30 years with 7 leap days (72, 76, 80, 84, 88, 92, 96) = 10957.
  EXPECT_EQ(days_since_epoch(date("1970-01-01")), 0);
  EXPECT_EQ(days_since_epoch(date("2000-01-01")), 30 * 365 + 7);
  // Across the 2024 leap day: Jan 22 -> Jul 15 = 9 (rest of Jan) + 29 + 31 + 30 + 31 + 30 + 15 = 175.
  EXPECT_EQ(days_between(date("2024-01-22"), date("2024-07-15")), 175);
  // The same calendar span in 2023 (no Feb 29) is one day shorter.
  EXPECT_EQ(days_between(date("2023-01-22"), date("2023-07-15")), 174);
  // 2023-11-30 -> 2024-03-01: 31 (Dec) + 31 (Jan) + 29 (Feb) + 1 = 92.
  EXPECT_EQ(days_between(date("2023-11-30"), date("2024-03-01")), 92);
  // Over the non-leap century 1900: 1899-12-31 -> 1900-01-01 -> 02-01 -> 03-01 = 1 + 31 + 28 = 60.
  EXPECT_EQ(days_between(date("1899-12-31"), date("1900-03-01")), 60);
  // Over 2000 (leap): 1999-12-31 -> 2000-03-01 = 1 + 31 + 29 = 61.
  EXPECT_EQ(days_between(date("1999-12-31"), date("2000-03-01")), 61);
  // A whole leap year and a whole common year.
  EXPECT_EQ(days_between(date("2024-01-01"), date("2025-01-01")), 366);
  EXPECT_EQ(days_between(date("2025-01-01"), date("2026-01-01")), 365);
  // Signed: backwards is negative.
  EXPECT_EQ(days_between(date("2024-07-15"), date("2024-01-22")), -175);
}

TEST(CalendarDate, BadDatesAreRefusedNamingTheText) {
  for (const char* bad : {"2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024/01/22", "24-01-22", "",
                          "2024-1-22", "2024012", "2024-01-2x"}) {
    auto d = parse_calendar_date(bad);
    ASSERT_FALSE(d) << bad;
    EXPECT_EQ(d.error().code, ErrorCode::bad_value);
    EXPECT_NE(d.error().message().find("'" + std::string(bad) + "'"), std::string::npos) << d.error().message();
  }
}

}  // namespace
}  // namespace sbrtkit
