"""Issue prediction from the frequency, with known publisher gaps."""

from __future__ import annotations

import datetime as dt

from shufang.serials.prediction import predict_issues


def test_monthly_title_with_a_combined_summer_issue_has_eleven_issues() -> None:
    issues = predict_issues(frequency="monthly", year=2020, skip_months=[8])

    assert [i.expected_on.month for i in issues] == [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12]
    assert [i.label for i in issues[:2]] == ["2020-01", "2020-02"]


def test_each_frequency_gives_its_number_of_issues_in_a_year() -> None:
    counts = {
        f: len(predict_issues(frequency=f, year=2021))
        for f in (
            "daily",
            "weekly",
            "semimonthly",
            "monthly",
            "bimonthly",
            "quarterly",
            "irregular",
        )
    }

    assert counts == {
        "daily": 365,
        "weekly": 53,
        "semimonthly": 24,
        "monthly": 12,
        "bimonthly": 6,
        "quarterly": 4,
        "irregular": 0,
    }


def test_a_daily_newspaper_skips_the_spring_festival_break() -> None:
    festival = [dt.date(2020, 1, 25) + dt.timedelta(days=n) for n in range(3)]

    issues = predict_issues(frequency="daily", year=2020, skip_dates=festival)

    assert len(issues) == 366 - 3
    assert dt.date(2020, 1, 26) not in {i.expected_on for i in issues}
    assert issues[24].expected_on == dt.date(2020, 1, 28)
    assert issues[24].label == "2020-025"


def test_a_weekly_starting_on_its_first_issue_date() -> None:
    issues = predict_issues(frequency="weekly", year=2020, first_issue_on=dt.date(2020, 1, 3))

    assert (issues[0].expected_on, issues[-1].expected_on, len(issues)) == (
        dt.date(2020, 1, 3),
        dt.date(2020, 12, 25),
        52,
    )
