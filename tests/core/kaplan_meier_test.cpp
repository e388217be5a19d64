// Kaplan-Meier, Greenwood and log-rank against independent truths: a small table computed by hand
// (below), and the classic 6-MP leukaemia trial (Freireich et al. 1963, as tabulated by Gehan 1965):
// published product-limit values 0.857 (t = 6), 0.807 (7), 0.753 (10), 0.690 (13), 0.627 (16),
// 0.538 (22), 0.448 (23) with Greenwood standard errors 0.0764 .. 0.1346, medians 23 (6-MP) and 8
// (placebo) weeks, and log-rank chi-square 16.79 (1 df) for 6-MP against placebo.
#include "sbrtkit/kaplan_meier.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sbrtkit {
namespace {

std::vector<SurvivalTime> six_mp() {
  // Weeks in remission; "+" (false) = censored.
  return {{6, true},   {6, true},   {6, true},   {6, false},  {7, true},   {9, false},  {10, true},
          {10, false}, {11, false}, {13, true},  {16, true},  {17, false}, {19, false}, {20, false},
          {22, true},  {23, true},  {25, false}, {32, false}, {32, false}, {34, false}, {35, false}};
}
std::vector<SurvivalTime> placebo() {
  std::vector<SurvivalTime> p;
  for (double t : {1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23}) p.push_back({t, true});
  return p;
}

TEST(KaplanMeier, HandComputedTableWithTiesAndCensoring) {
  // Subjects: 1, 2, 2, 2+, 3+, 4, 5+ (7 subjects; "+" censored). By hand, events before censorings at
  // the same time (the one censored at 2 is still at risk at 2):
  //   t  n  d  c  S                      Greenwood sum d/(n(n-d))        Var = S^2 x sum
  //   1  7  1  0  6/7 = 0.857143         1/42                            (36/49)(1/42)  = 0.0174927
  //   2  6  2  1  6/7 x 4/6 = 4/7        1/42 + 2/24 = 9/84              (16/49)(9/84)  = 0.0349854
  //   3  3  0  1  4/7                    (no event)                      unchanged
  //   4  2  1  0  4/7 x 1/2 = 2/7        9/84 + 1/2 = 51/84              (4/49)(51/84)  = 0.0495627
  //   5  1  0  1  2/7
  auto km = kaplan_meier({{1, true}, {2, true}, {2, true}, {2, false}, {3, false}, {4, true}, {5, false}});
  ASSERT_TRUE(km) << km.error().message();
  ASSERT_EQ(km->rows.size(), 5u);
  const struct {
    double t;
    int n, d, c;
    double s, var;
  } table[] = {{1, 7, 1, 0, 6.0 / 7, 36.0 / 49 / 42},
               {2, 6, 2, 1, 4.0 / 7, 16.0 / 49 * 9 / 84},
               {3, 3, 0, 1, 4.0 / 7, 16.0 / 49 * 9 / 84},
               {4, 2, 1, 0, 2.0 / 7, 4.0 / 49 * 51 / 84},
               {5, 1, 0, 1, 2.0 / 7, 4.0 / 49 * 51 / 84}};
  for (std::size_t i = 0; i < 5; ++i) {
    const auto& r = km->rows[i];
    EXPECT_EQ(r.time, table[i].t);
    EXPECT_EQ(r.at_risk, table[i].n) << "t = " << r.time;
    EXPECT_EQ(r.events, table[i].d);
    EXPECT_EQ(r.censored, table[i].c);
    EXPECT_NEAR(r.survival, table[i].s, 1e-15);
    EXPECT_NEAR(r.greenwood_variance, table[i].var, 1e-15);
  }
  EXPECT_NEAR(km->rows[0].greenwood_variance, 0.0174927, 1e-7);  // the rounded hand values
  EXPECT_NEAR(km->rows[1].greenwood_variance, 0.0349854, 1e-7);
  EXPECT_NEAR(km->rows[3].greenwood_variance, 0.0495627, 1e-7);
  // Step function: 1 before the first event, right-continuous at event times.
  EXPECT_EQ(km->survival_at(0.5), 1.0);
  EXPECT_NEAR(km->survival_at(1.0), 6.0 / 7, 1e-15);
  EXPECT_NEAR(km->survival_at(3.9), 4.0 / 7, 1e-15);
  EXPECT_NEAR(km->survival_at(100), 2.0 / 7, 1e-15);
  EXPECT_EQ(*km->median(), 4.0);  // first time with S <= 0.5
  EXPECT_EQ(numbers_at_risk({{1, true}, {2, true}, {2, true}, {2, false}, {3, false}, {4, true}, {5, false}},
                            {0, 2, 2.5, 4, 6}),
            (std::vector<int>{7, 6, 3, 2, 0}));
}

TEST(KaplanMeier, SixMercaptopurineLeukaemiaTrial) {
  auto km = kaplan_meier(six_mp());
  ASSERT_TRUE(km);
  const struct {
    double t, s, se;
  } published[] = {{6, 0.857, 0.0764},  {7, 0.807, 0.0869},  {10, 0.753, 0.0963}, {13, 0.690, 0.1068},
                   {16, 0.627, 0.1141}, {22, 0.538, 0.1282}, {23, 0.448, 0.1346}};
  for (const auto& p : published) {
    EXPECT_NEAR(km->survival_at(p.t), p.s, 0.0005) << "t = " << p.t;                 // 3 decimals published
    EXPECT_NEAR(std::sqrt(km->variance_at(p.t)), p.se, 0.00005) << "t = " << p.t;   // 4 decimals published
  }
  // Exact values behind the rounded ones: 18/21, then x 16/17, 14/15, 11/12, 10/11, 6/7, 5/6.
  EXPECT_NEAR(km->survival_at(23), 18.0 / 21 * 16 / 17 * 14 / 15 * 11 / 12 * 10 / 11 * 6 / 7 * 5 / 6, 1e-15);
  EXPECT_EQ(*km->median(), 23.0);
  auto kp = kaplan_meier(placebo());
  ASSERT_TRUE(kp);
  EXPECT_EQ(*kp->median(), 8.0);
  EXPECT_NEAR(kp->survival_at(23), 0.0, 0.0);  // every placebo subject relapsed
  EXPECT_EQ(kp->variance_at(23), 0.0);
  // At risk at 0, 10, 20 weeks (counted from the data: times >= t).
  EXPECT_EQ(numbers_at_risk(six_mp(), {0, 10, 20}), (std::vector<int>{21, 15, 8}));
  EXPECT_EQ(numbers_at_risk(placebo(), {0, 10, 20}), (std::vector<int>{21, 8, 2}));
}

TEST(LogRank, SixMercaptopurineAgainstPlacebo) {
  auto lr = log_rank(six_mp(), placebo());
  ASSERT_TRUE(lr) << lr.error().message();
  EXPECT_NEAR(lr->chi_square, 16.79, 0.005);  // published to 2 decimals
  EXPECT_EQ(lr->observed[0], 9);
  EXPECT_EQ(lr->observed[1], 21);
  EXPECT_NEAR(lr->expected[0], 19.3, 0.05);  // published to 1 decimal (R survdiff: 19.3 and 10.7)
  EXPECT_NEAR(lr->expected[1], 10.7, 0.05);
  EXPECT_NEAR(lr->expected[0] + lr->expected[1], 30.0, 1e-12);  // expected events add up to the observed
  EXPECT_LT(lr->p_value, 1e-4);
  EXPECT_GT(lr->p_value, 1e-5);
  // Symmetric in the groups.
  EXPECT_NEAR(log_rank(placebo(), six_mp())->chi_square, lr->chi_square, 1e-12);
}

TEST(LogRank, HandComputedSmallExample) {
  // A: 1, 3; B: 2, 4+. Event times (n1, n2, d1, d): 1 (2, 2, 1, 1), 2 (1, 2, 0, 1), 3 (1, 1, 1, 1).
  // E1 = 1/2 + 1/3 + 1/2 = 4/3; V = 1/4 + 2/9 + 1/4 = 13/18; chi2 = (2 - 4/3)^2 / (13/18) = 8/13.
  auto lr = log_rank({{1, true}, {3, true}}, {{2, true}, {4, false}});
  ASSERT_TRUE(lr);
  EXPECT_NEAR(lr->expected[0], 4.0 / 3, 1e-15);
  EXPECT_NEAR(lr->variance, 13.0 / 18, 1e-15);
  EXPECT_NEAR(lr->chi_square, 8.0 / 13, 1e-15);
}

TEST(LogRank, ChiSquareOneDegreeTailAtTableValues) {
  // Critical values of chi-square with 1 df: 3.841459 at p = 0.05, 6.634897 at 0.01, 10.827566 at 0.001.
  EXPECT_NEAR(chi_square_1df_p_value(3.841459), 0.05, 1e-7);
  EXPECT_NEAR(chi_square_1df_p_value(6.634897), 0.01, 1e-8);
  EXPECT_NEAR(chi_square_1df_p_value(10.827566), 0.001, 1e-9);
  EXPECT_EQ(chi_square_1df_p_value(0), 1.0);
}

TEST(SurvivalSplit, MedianThresholdAndGivenThreshold) {
  const std::vector<SurvivalTime> s = {{10, true}, {20, false}, {30, true}, {40, true}};
  // Covariates 50, 80, 60, 90: median of four = (60 + 80) / 2 = 70.
  auto split = split_at_threshold(s, {50, 80, 60, 90});
  ASSERT_TRUE(split);
  EXPECT_EQ(split->threshold, 70);
  ASSERT_EQ(split->below.size(), 2u);
  EXPECT_EQ(split->below[0].time, 10);
  EXPECT_EQ(split->below[1].time, 30);
  ASSERT_EQ(split->at_or_above.size(), 2u);
  // Odd count: the middle value, which goes to the upper group (>=).
  auto odd = split_at_threshold({{1, true}, {2, true}, {3, true}}, {5, 1, 3});
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->threshold, 3);
  EXPECT_EQ(odd->below.size(), 1u);
  auto given = split_at_threshold(s, {50, 80, 60, 90}, 85.0);
  ASSERT_TRUE(given);
  EXPECT_EQ(given->at_or_above.size(), 1u);
}

TEST(SurvivalBadInput, IsAnErrorNamingTheSubject) {
  auto km = kaplan_meier({{1, true}, {-2, true}});
  ASSERT_FALSE(km);
  EXPECT_NE(km.error().message().find("subjects[1].time"), std::string::npos) << km.error().message();
  EXPECT_FALSE(kaplan_meier({{std::nan(""), true}}));
  EXPECT_FALSE(log_rank({}, placebo()));
  EXPECT_FALSE(log_rank({{1, false}}, {{2, false}}));  // no event at all
  EXPECT_FALSE(split_at_threshold({{1, true}}, {1, 2}));
  EXPECT_FALSE(split_at_threshold({{1, true}}, {std::nan("")}));
  // An empty cohort is an empty curve, not an error.
  auto empty = kaplan_meier({});
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->survival_at(5), 1.0);
  EXPECT_FALSE(empty->median());
}

}  // namespace
}  // namespace sbrtkit
