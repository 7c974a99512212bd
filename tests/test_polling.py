"""The monitor's polling plan (crawler.crawl.polling): learned rates, the square-root
budget rule, bursts, the hard budget, and the rates kept in the database."""

from __future__ import annotations

import math

import pytest

from crawler.crawl.polling import (PageRate, PollingConfig, PollPlan, allocate,
                                   seed_from_history)
from crawler.crawl.polling_state import PollingState
from crawler.db import migrate

HOUR = 3600.0


def observe_steadily(plan: PollPlan, url: str, per_hour: float, hours: float,
                     every: float, start: float = 1_000_000.0) -> float:
    """Polls of ``url`` every ``every`` seconds for ``hours``, each showing the new
    articles a page publishing ``per_hour`` would have shown (carried fractions)."""
    now, carry = start, 0.0
    plan.record_poll(url, now, None)  # the first look: nothing to compare with
    for _ in range(int(hours * HOUR / every)):
        now += every
        carry += per_hour * every / HOUR
        new = int(carry)
        carry -= new
        plan.record_poll(url, now, new)
    return now


def test_square_root_rule_shares_the_budget():
    rates = {"busy": 16.0, "quiet": 1.0}
    intervals = allocate(rates, polls_per_second=0.5, min_interval=0.01, max_interval=1e9)
    # frequency proportional to sqrt(rate): 4 times as often, not 16
    assert intervals["quiet"] / intervals["busy"] == pytest.approx(4.0)
    assert sum(1 / t for t in intervals.values()) == pytest.approx(0.5)


def test_bounds_win_and_the_rest_is_shared():
    rates = {"a": 100.0, "b": 1.0, "c": 1e-9}
    intervals = allocate(rates, polls_per_second=1.0, min_interval=2.0, max_interval=60.0)
    assert intervals["a"] == 2.0            # would be shorter: clamped
    assert intervals["c"] == 60.0           # would be longer: clamped
    assert 2.0 <= intervals["b"] <= 60.0
    # what the clamped pages do not use goes to the page in between
    assert 1 / intervals["b"] == pytest.approx(1.0 - 1 / 2.0 - 1 / 60.0)


def test_a_busy_index_is_looked_at_more_often_than_a_quiet_one():
    plan = PollPlan(PollingConfig(budget_per_hour=120, min_interval=10, max_interval=HOUR))
    for url in ("busy", "quiet"):
        plan.add(PageRate(url))
    observe_steadily(plan, "busy", per_hour=12, hours=4, every=300)
    observe_steadily(plan, "quiet", per_hour=0.2, hours=4, every=300)
    intervals = plan.replan()
    assert intervals["busy"] < intervals["quiet"] / 3
    assert plan.pages["busy"].rate(plan.config) * HOUR == pytest.approx(12, rel=0.25)
    assert plan.pages["quiet"].rate(plan.config) * HOUR < 1


def test_a_burst_shortens_the_interval():
    plan = PollPlan(PollingConfig(budget_per_hour=60, min_interval=10, max_interval=HOUR))
    for url in ("steady", "page"):
        plan.add(PageRate(url))
    observe_steadily(plan, "steady", per_hour=4, hours=6, every=300)
    now = observe_steadily(plan, "page", per_hour=0.5, hours=6, every=300)
    before = plan.replan()["page"]
    for _ in range(3):  # three polls in a row, each with two new stories
        now += 120
        plan.record_poll("page", now, 2)
    after = plan.intervals["page"]
    assert after < before / 2
    # and the burst fades: quiet again for two hours, the interval grows back
    for _ in range(24):
        now += 300
        plan.record_poll("page", now, 0)
    assert plan.intervals["page"] > after * 1.5


def test_the_budget_holds_whatever_is_due():
    config = PollingConfig(budget_per_hour=36, min_interval=1, max_interval=10,
                           ticker_interval=5)
    plan = PollPlan(config)
    for n in range(20):
        plan.add(PageRate(f"p{n}"))
    now, issued = 5_000_000.0, 0
    for _step in range(7200):  # two hours, one look a second, polls answered at once
        for url in plan.due(now)[:1]:
            plan.issued(now)
            plan.record_poll(url, now, 0)
            issued += 1
        now += 1
    # every page wants a poll every 10 s (7200 an hour): the budget says 36
    assert 2 * 36 - 2 <= issued <= 2 * 36 + 1


def test_article_fetches_are_paid_from_the_budget():
    plan = PollPlan(PollingConfig(budget_per_hour=100))
    plan.extra_per_second = 60 / HOUR
    assert plan.poll_budget() * HOUR == pytest.approx(40)
    plan.extra_per_second = 1000 / HOUR  # never below the share kept for polls
    assert plan.poll_budget() * HOUR == pytest.approx(25)


def test_speedup_scales_the_clock():
    plan = PollPlan(PollingConfig(speedup=60, min_interval=30, max_interval=HOUR))
    plan.add(PageRate("p"))
    plan.record_poll("p", 100.0, None)
    plan.replan()
    interval = plan.intervals["p"]  # site seconds
    assert plan.due_at("p") == pytest.approx(100.0 + interval / 60)


def test_learned_rates_survive_a_restart(db_url):
    migrate.upgrade(db_url)
    config = PollingConfig(min_interval=10, max_interval=HOUR)
    plan = PollPlan(config)
    plan.add(PageRate("http://site/news/politics", "section", "Politics"))
    plan.add(PageRate("http://site/regions/asia", "region", "Asia"))
    observe_steadily(plan, "http://site/news/politics", per_hour=10, hours=3, every=240)
    observe_steadily(plan, "http://site/regions/asia", per_hour=0.3, hours=3, every=240)
    learned = plan.replan()
    state = PollingState(db_url, "http://site/")
    assert state.save(list(plan.pages.values()))
    state.close()

    restarted = PollPlan(config)
    state = PollingState(db_url, "http://site/")
    for page in state.load():
        restarted.add(page)
    assert PollingState(db_url, "http://other/").load() == []  # per site
    state.close()
    assert restarted.pages.keys() == plan.pages.keys()
    for url, page in plan.pages.items():
        again = restarted.pages[url]
        assert (again.kind, again.name, again.polls) == (page.kind, page.name, page.polls)
        assert math.isclose(again.rate(config), page.rate(config))
        assert again.last_polled == pytest.approx(page.last_polled)
    assert restarted.replan() == pytest.approx(learned)


def test_a_small_budget_still_goes_to_the_busy_pages_first():
    rates = {"busy": 10 / HOUR, **{f"quiet{n}": 0.1 / HOUR for n in range(27)}}
    # 10 polls an hour for 28 pages: not even one each per hour (the longest interval)
    intervals = allocate(rates, polls_per_second=10 / HOUR, min_interval=30,
                         max_interval=HOUR)
    assert intervals["busy"] < HOUR / 2
    assert intervals["quiet0"] > HOUR
    assert sum(1 / t for t in intervals.values()) == pytest.approx(10 / HOUR)


def test_first_looks_are_not_paid_from_the_budget():
    plan = PollPlan(PollingConfig(budget_per_hour=10, min_poll_share=1.0))
    for n in range(28):
        plan.add(PageRate(f"p{n}"))
    now = 1_000.0
    for url in plan.due(now):  # every page is new: all due, all first looks
        plan.issued(now, first_look=True)
        plan.record_poll(url, now, None)
    assert plan.polls_last_hour(now) == 0
    plan.pages["p0"].last_polled = now - 5 * HOUR  # overdue (intervals: 2.8 h each)
    assert plan.due(now + 1) == ["p0"]


def test_quiet_pages_have_a_floor_the_budget_can_pay():
    # 300 polls an hour for 30 pages: a quarter of them pays every page every 24 min.
    config = PollingConfig(budget_per_hour=300, min_interval=30, max_interval=HOUR)
    plan = PollPlan(config)
    for n in range(10):
        plan.add(PageRate(f"busy{n}"))
        observe_steadily(plan, f"busy{n}", per_hour=30, hours=2, every=60)
    for n in range(20):
        plan.add(PageRate(f"quiet{n}"))
    assert plan.longest_interval() == pytest.approx(30 / (0.25 * 300) * HOUR)
    # By the square root alone the quiet pages would wait longer than that.
    rates = {url: page.rate(config) for url, page in plan.pages.items()}
    unbounded = allocate(rates, plan.poll_budget(), 30, 1e9)
    assert unbounded["quiet0"] > 1.2 * plan.longest_interval()
    intervals = plan.replan()
    assert intervals["quiet0"] == pytest.approx(plan.longest_interval())
    assert intervals["busy0"] < 0.5 * intervals["quiet0"]
    # A budget too small for the floor: the longest interval is max_interval again ...
    small = PollPlan(PollingConfig(budget_per_hour=60, max_interval=HOUR))
    small.pages = plan.pages
    assert small.longest_interval() == HOUR
    # ... unless every page hourly would take more than half of it (here 30 of 41 an
    # hour, leaving 11 for the pages that show the news): then the floor a quarter of
    # the budget pays ...
    lean = PollPlan(PollingConfig(budget_per_hour=41, max_interval=HOUR))
    lean.pages = plan.pages
    assert lean.longest_interval() == pytest.approx(30 / (0.25 * 41) * HOUR)
    # ... as when even max_interval cannot be paid: the floor, not no bound at all.
    tiny = PollPlan(PollingConfig(budget_per_hour=20, max_interval=HOUR))
    tiny.pages = plan.pages
    assert tiny.longest_interval() == pytest.approx(30 / (0.25 * 20) * HOUR)
    assert max(tiny.replan().values()) == pytest.approx(tiny.longest_interval())


def test_a_sitemap_earns_polls_and_the_ticker_is_read_on_html_pages():
    config = PollingConfig(budget_per_hour=300, min_interval=30, max_interval=HOUR,
                           ticker_interval=60)
    plan = PollPlan(config)
    plan.add(PageRate("home", "home"))
    plan.add(PageRate("sitemap", "sitemap"))
    for n in range(20):
        plan.add(PageRate(f"section{n}"))
    # The sitemap shows every new article (20 an hour); the pages, found out by it,
    # are credited with nothing.
    now = observe_steadily(plan, "sitemap", per_hour=20, hours=1, every=60)
    for url in plan.pages:
        if url != "sitemap":
            observe_steadily(plan, url, per_hour=0, hours=1, every=600)
    intervals = plan.replan()
    assert intervals["sitemap"] < intervals["home"] / 4
    # Nothing due but the sitemap, the ticker not read for a minute: the HTML page
    # due next is added, never the sitemap alone.
    for url in plan.pages:
        plan.pages[url].last_polled = now
    plan.pages["sitemap"].last_polled = now - 10 * HOUR
    plan.issued(now - 61, ticker=True)
    plan.issued(now - 1, ticker=False)  # a sitemap poll: no ticker
    due = plan.due(now)
    assert due[0] == "sitemap" and len(due) == 2 and plan.pages[due[1]].kind != "sitemap"
    plan.issued(now, ticker=True)
    assert plan.due(now + 1) == ["sitemap"]


def test_a_sitemap_starts_from_the_history_it_lists():
    config = PollingConfig(half_life=6 * HOUR, burst_half_life=900)
    now = 10_000_000.0
    busy, stale = PageRate("news", "sitemap"), PageRate("old", "sitemap")
    # 60 entries over the last 3 hours (20 an hour); the stale one's are 2 days old.
    seed_from_history(busy, [now - n * 180 for n in range(60)], now, config)
    seed_from_history(stale, [now - 2 * 24 * HOUR - n for n in range(60)] + [None], now, config)
    # The 60 entries of the last six hours cover the 59 * 180 s back to the oldest;
    # the 6 of the last 15 minutes (0, 180, ... 900 s ago) cover 900 s.
    assert (busy.long_count, busy.long_exposure) == (59, 59 * 180)
    assert (busy.short_count, busy.short_exposure) == (5, 900)
    assert busy.rate(config) * HOUR == pytest.approx(20)  # the recent rate wins
    assert busy.rate(config) > 50 * PageRate("unknown").rate(config)
    assert stale.rate(config) == PageRate("unknown").rate(config)  # the floor: the prior


def test_index_pages_start_from_their_cards_dates():
    # Two index pages showing ten cards each: one published over the last 45 minutes,
    # one every 9 hours, the newest 3 hours ago. A full page covers only back to its
    # oldest card.
    config = PollingConfig(half_life=6 * HOUR, burst_half_life=900, budget_per_hour=120)
    now = 10_000_000.0
    busy, quiet = PageRate("politics"), PageRate("blog")
    seed_from_history(busy, [now - n * 300 for n in range(10)], now, config)
    seed_from_history(quiet, [now - 3 * HOUR - n * 9 * HOUR for n in range(10)], now, config)
    assert (busy.long_count, busy.long_exposure) == (9, 2700)
    assert (quiet.long_count, quiet.long_exposure) == (1, 6 * HOUR)
    # An old card in a sidebar does not stretch the time the page's own cards cover.
    sidebar = PageRate("politics2")
    seed_from_history(sidebar, [now - n * 300 for n in range(10)] + [now - 400 * HOUR],
                      now, config)
    assert (sidebar.long_count, sidebar.long_exposure) == (9, 2700)
    assert busy.rate(config) > 10 * quiet.rate(config)
    plan = PollPlan(config)
    for page in (busy, quiet):
        plan.add(page)
    intervals = plan.replan()
    assert intervals["politics"] < intervals["blog"] / 3
    undated = PageRate("video")
    seed_from_history(undated, [None, None], now, config)  # nothing dated: the prior
    assert undated.rate(config) == PageRate("unknown").rate(config)


def test_a_sitemap_that_shows_news_takes_the_polls_the_priors_claimed():
    # A tenth of a fixed crawl's budget: 30 polls an hour for 31 pages and a news
    # sitemap. Before the sitemap shows anything every page holds its prior.
    config = PollingConfig(budget_per_hour=30, max_interval=HOUR)
    plan = PollPlan(config)
    for n in range(31):
        plan.add(PageRate(f"index{n}"))
    sitemap = PageRate("news.xml", "sitemap", "news")
    plan.add(sitemap)
    assert not plan.covered()
    before = plan.replan()
    assert before["news.xml"] == pytest.approx(before["index0"])
    # It lists 20 articles of the last few hours (its history, as seeded): the index
    # pages, credited only with what it did not show first, lose their prior and keep
    # the floor; the sitemap gets the rest.
    sitemap.long_count, sitemap.long_exposure = 20.0, config.half_life
    sitemap.short_count, sitemap.short_exposure = 2.0, config.burst_half_life
    assert plan.covered()
    after = plan.replan()
    assert after["index0"] == pytest.approx(plan.longest_interval())
    polls = {url: 3600.0 / t for url, t in after.items()}
    assert polls["news.xml"] >= 0.7 * plan.poll_budget() * 3600.0
    # An index page that shows news the sitemap did not show first earns polls again.
    observe_steadily(plan, "index3", per_hour=6, hours=1, every=600)
    assert plan.replan()["index3"] < 0.5 * plan.longest_interval()


def _sitemap_and_pages(budget_per_hour: float, sitemap_per_hour: float
                       ) -> list[tuple[float, str, bool]]:
    """Two simulated hours of a plan whose one sitemap shows ``sitemap_per_hour`` new
    articles (learned over the hour before) and whose 20 HTML pages show none, polls
    answered at once: (time, page, polled before its turn) of every poll."""
    config = PollingConfig(budget_per_hour=budget_per_hour, min_interval=30,
                           max_interval=HOUR, ticker_interval=60)
    plan = PollPlan(config)
    plan.add(PageRate("sitemap", "sitemap"))
    for n in range(20):
        plan.add(PageRate(f"section{n}"))
    now = observe_steadily(plan, "sitemap", per_hour=sitemap_per_hour, hours=1, every=30)
    for url in plan.pages:
        if url != "sitemap":
            plan.record_poll(url, now - 1, None)
    plan.issued(now - 1)
    polls = []
    for _step in range(2 * 3600):
        for url in plan.due(now)[:1]:
            html = plan.pages[url].kind != "sitemap"
            polls.append((now, url, plan.due_at(url) > now))
            plan.issued(now, ticker=html)
            plan.record_poll(url, now, 0 if html else round(sitemap_per_hour / 60))
        now += 1
    return polls


def test_a_small_budget_spends_little_on_reading_the_ticker_early():
    # A budget that pays the ticker's reads spends up to TICKER_SHARE of it on them;
    # one too small to follow the ticker (here 20 polls an hour for a ticker read
    # every minute) leaves its polls to the page that shows the articles.
    big, small = _sitemap_and_pages(150, 20), _sitemap_and_pages(20, 20)
    assert sum(early for *_, early in big) >= 10  # the ticker read early at 150 an hour
    assert sum(early for *_, early in small) < 0.1 * len(small)  # a fixed share: 0.2
    assert len(small) <= 2 * 20 + 1  # and the budget holds


def test_the_ticker_is_read_every_interval_whatever_a_busy_sitemap_takes():
    # The sitemap earns polls every 30 s (120 an hour of a poll budget of 150): the
    # HTML pages' reads of the ticker are counted apart, so they still come every
    # minute (a breaking item on air two minutes is seen within one); counted with
    # the sitemap's polls they stopped once the hour's polls reached half the budget.
    polls = _sitemap_and_pages(150, 200)
    reads = [at for at, url, _early in polls if url != "sitemap"]
    sitemap_polls = len(polls) - len(reads)
    gaps = sorted(b - a for a, b in zip(reads, reads[1:]))
    assert sitemap_polls >= 150  # the sitemap kept most of its polls ...
    assert gaps[int(0.95 * len(gaps))] <= 61, gaps[-10:]  # ... and the ticker its minute
