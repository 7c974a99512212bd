"""The live replica: a site that publishes on a clock (``python -m crawler.replica --live``).

    with LiveReplica(seed=7, hours=2, speed=60) as site:   # 2 replica hours in 2 minutes
        ... crawl or monitor site.base_url ...
        site.truth()                                       # what appeared, and when

The schedule (``live_schedule``) is drawn once from the seed, so two replicas with the
same seed, length and speed publish the same things at the same replica times:

- articles per section as Poisson arrivals at the section's rate (``SECTION_RATES``,
  per replica hour: Politics busy, Blog or Digital Series quiet), plus bursts (a
  section publishing several times faster for a while); each on page 1 of its section
  index, pushing older cards down and onto page 2 (``PAGE_SIZE`` per page); some
  featured on the home page (its newest ``HOME_SIZE``) and on region pages;
- breaking items entering the ticker (on every page, as on the real site) and leaving
  it after a time on air;
- now and then a published article edited (its title and first paragraph).

History (``history_hours``): a news site is never seen on its first day. Before its
clock starts the replica publishes the previous ``history_hours`` of articles, drawn
from the same process (``history_schedule``, its own stream of the seed, so the
schedule after the start is the same with or without it), each dated when it appeared
(index pages, home and region pages, sitemaps with their ``lastmod``). They are not
in ``truth()``: the truth is what is published after the clock starts.

Sitemaps (``sitemaps=True``, the default): the replica's monthly sitemaps
(``/sitemaps/all.xml`` indexing ``/sitemaps/all/sitemap-YYYY-M.xml``, certain for the
Arabic edition, guessed for the English one: SITE.md) and its Google News sitemap
(``/sitemaps/news.xml``: a replica assumption, as is its naming in robots.txt) list
what has been published so far, each with a Last-Modified (the newest ``lastmod`` it
lists) and an ETag that change only with what it lists. ``sitemaps=False``: a site
without any (404, and robots.txt names none), to measure a monitor that has only the
HTML pages.

``speed`` is replica seconds per real second. Pages carry real times (an article
published at replica second 600 of a replica at speed 60 says it was published ten
real seconds after the start), so a crawler's timestamps and the truth compare
directly; ``truth()`` gives both clocks. Built on ``ReplicaServer``: the static
articles stay (older), the live ones are added to its state.
"""

from __future__ import annotations

import heapq
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zlib import crc32

from crawler.replica import changes, content, index_pages, routes
from crawler.replica.layout import Page
from crawler.replica.model import BEIRUT, REGIONS
from crawler.replica.server import ReplicaServer

# New articles per replica hour, by (category, section). Technology is left out: its
# index is the replica's endless-pagination trap.
SECTION_RATES: dict[tuple[str, str], float] = {
    ("News", "Politics"): 9.0, ("News", "Economy"): 3.0, ("News", "Sports"): 2.0,
    ("News", "Arts&Culture"): 0.5, ("News", "Health"): 0.6, ("News", "Miscellaneous"): 1.0,
    ("News", "Environment"): 0.4, ("Articles", "Opinion"): 0.8,
    ("Articles", "Analysis"): 0.5, ("Articles", "Blog"): 0.15, ("Articles", "Features"): 0.3,
    ("Videos", "NewsFeed"): 2.0, ("Videos", "Video Features"): 0.3,
    ("Videos", "Explainers"): 0.2, ("Videos", "TV"): 0.3, ("Videos", "Digital Series"): 0.1,
    ("Infographs", "Infographs"): 0.2, ("In Pictures", "In Pictures"): 0.3,
}
FEATURED_SHARE = {"News": 0.5, "Articles": 0.3, "Videos": 0.25}  # else 0.15
REGION_SHARE = 0.5                   # an article is listed on 1-2 region pages
BURSTS_PER_HOUR = 0.3                # a section publishes BURST_FACTOR times faster ...
BURST_FACTOR = 6.0
BURST_SECONDS = 900.0                # ... for this long
BREAKING_PER_HOUR = 8.0
BREAKING_ON_AIR = (45.0, 1500.0)     # seconds on air: from, to (log-uniform)
EDITS_PER_HOUR = 1.5
PAGE_SIZE = 10                       # cards per section index page
HOME_SIZE = 24                       # newest featured articles on the home page
REGION_SIZE = 12

# Static articles lending live ones their image, caption and a Related News link.
_DONORS = [a for a in content.ARTICLES if a["image"] and a["caption"] and a["stored"]
           and not a["sitemap_only"] and a["variant"] == "full"
           and (a["listed"]["home"] or a["listed"]["section"])]

_SUBJECTS = ["Ministers", "Rescue teams", "Negotiators", "Farmers", "Lawmakers",
             "Health officials", "Protesters", "Central bank", "Coast guard", "Analysts",
             "Port workers", "The army", "Mediators", "Students", "Engineers"]
_VERBS = ["meet over", "warn of", "report progress on", "reject", "prepare for",
          "call for talks on", "count the cost of", "brace for", "debate", "welcome"]
_OBJECTS = ["the ceasefire", "fuel prices", "the border crossing", "new sanctions",
            "the water crisis", "wheat imports", "the election", "the drought",
            "the prisoner exchange", "the reconstruction plan", "power cuts", "the strike"]


@dataclass(order=True)
class Event:
    """One thing the site does at replica second ``at``."""
    at: float
    kind: str = field(compare=False)        # "article", "breaking_on", "breaking_off", "edit"
    data: dict = field(compare=False, default_factory=dict)


def _poisson_times(rng: random.Random, rate_per_hour: float, start: float,
                   end: float) -> list[float]:
    times, t = [], start
    if rate_per_hour <= 0:
        return times
    while True:
        t += rng.expovariate(rate_per_hour / 3600.0)
        if t >= end:
            return times
        times.append(t)


def _article_events(rng: random.Random, start: float, end: float, key: str,
                    label: str) -> list[Event]:
    """Articles published in [start, end) replica seconds: Poisson arrivals per
    section plus bursts; ``key``/``label`` prefix their keys and titles."""
    sections = list(SECTION_RATES)
    events: list[Event] = []
    arrivals: list[tuple[float, tuple[str, str]]] = []
    for section in sections:
        arrivals += [(t, section) for t in _poisson_times(rng, SECTION_RATES[section],
                                                          start, end)]
    for burst in _poisson_times(rng, BURSTS_PER_HOUR, start, end):
        section = rng.choice(sections[:6])   # bursts happen where news happens
        extra = SECTION_RATES[section] * (BURST_FACTOR - 1)
        arrivals += [(t, section) for t in _poisson_times(
            rng, extra, burst, min(end, burst + BURST_SECONDS))]
    regions = list(REGIONS)
    for n, (at, (category, section)) in enumerate(sorted(arrivals)):
        # The number first: slugs are cut at 60 characters and must stay unique.
        title = (f"{label} {n + 1}: {rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} "
                 f"{rng.choice(_OBJECTS)}")
        featured = rng.random() < FEATURED_SHARE.get(category, 0.15)
        listed_regions = (rng.sample(regions, rng.choice((1, 1, 2)))
                          if rng.random() < REGION_SHARE else [])
        events.append(Event(at, "article", dict(key=f"{key}-{n + 1}", title=title,
                                                category=category, section=section,
                                                home=featured, regions=listed_regions)))
    return events


def history_schedule(seed: int, seconds: float) -> list[Event]:
    """The articles the site published in the ``seconds`` replica seconds before its
    clock starts (negative ``at``), oldest first: the same process as
    ``live_schedule``, from a stream of its own (``live_schedule`` is unchanged)."""
    if seconds <= 0:
        return []
    rng = random.Random(f"{seed}/history")
    return _article_events(rng, -seconds, 0.0, f"live-{seed}-h", "Earlier")


def live_schedule(seed: int, seconds: float) -> list[Event]:
    """Everything the live site does in its first ``seconds`` replica seconds."""
    rng = random.Random(seed)
    events = _article_events(rng, 0.0, seconds, f"live-{seed}", "Dispatch")
    low, high = BREAKING_ON_AIR
    for n, at in enumerate(_poisson_times(rng, BREAKING_PER_HOUR, 0.0, seconds)):
        text = (f"Breaking {n + 1}: {rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} "
                f"{rng.choice(_OBJECTS)}")
        on_air = low * (high / low) ** rng.random()
        events.append(Event(at, "breaking_on", {"text": text}))
        events.append(Event(at + on_air, "breaking_off", {"text": text}))
    published = sorted(e.at for e in events if e.kind == "article")
    for n, at in enumerate(_poisson_times(rng, EDITS_PER_HOUR, 0.0, seconds)):
        earlier = [i for i, t in enumerate(published) if t < at]
        if earlier:  # the k-th live article published so far (its key is known)
            events.append(Event(at, "edit", {"index": rng.choice(earlier[-20:]), "n": n + 1}))
    events.sort()
    return events


class LiveReplica(ReplicaServer):
    """A ``ReplicaServer`` whose site changes on the clock of ``live_schedule``.

    ``seed``, ``hours`` (the schedule's length in replica hours), ``speed`` (replica
    seconds per real second), ``history_hours`` (articles already published when the
    clock starts, not in the truth). The clock starts with ``start()``; after ``hours`` the
    site stops changing (it is still served). ``truth()``: every event that happened.
    """

    def __init__(self, seed: int = 1, hours: float = 1.0, speed: float = 1.0,
                 host: str = "127.0.0.1", port: int = 0, run_clock: bool = True,
                 sitemaps: bool = True, history_hours: float = 0.0, **kwargs):
        super().__init__(host, port, **kwargs)
        self.run_clock = run_clock  # False: the caller moves time (``advance_to``)
        self.sitemaps = sitemaps
        self.seed, self.hours, self.speed = seed, hours, float(speed)
        self.events = live_schedule(seed, hours * 3600.0)
        self.history = history_schedule(seed, history_hours * 3600.0)
        self.history_hours = history_hours
        self.started_real: float | None = None
        self._pending = list(self.events)
        heapq.heapify(self._pending)
        self._live: list[dict] = []            # live articles, in publication order
        self._history_len = 0                  # of which the first were published before
        self._on_air: list[str] = []
        self._log: list[dict] = []             # what happened (the truth)
        self._stop_clock = threading.Event()
        self._clock: threading.Thread | None = None

    # -- the clock ---------------------------------------------------------------------

    def start(self) -> "LiveReplica":
        if self._clock is None and self.started_real is None:
            self.started_real = time.time()
            self._publish_history()
        super().start()
        if self._clock is None:
            self.set_breaking([])
            self._clock = threading.Thread(target=self._run_clock, daemon=True,
                                           name=f"live-replica-{self.port}")
            if self.run_clock:
                self._clock.start()
        return self

    def stop(self) -> None:
        self._stop_clock.set()
        if self._clock is not None and self._clock.is_alive():
            self._clock.join(timeout=5)
        super().stop()

    def replica_seconds(self, real: float | None = None) -> float:
        """Replica seconds since the start at real time ``real`` (default: now)."""
        assert self.started_real is not None, "not started"
        return ((time.time() if real is None else real) - self.started_real) * self.speed

    def real_time(self, replica_seconds: float) -> float:
        assert self.started_real is not None, "not started"
        return self.started_real + replica_seconds / self.speed

    @property
    def finished(self) -> bool:
        return not self._pending

    def _run_clock(self) -> None:
        while not self._stop_clock.is_set() and self._pending:
            due_at = self.real_time(self._pending[0].at)
            wait = due_at - time.time()
            if wait > 0:
                self._stop_clock.wait(min(wait, 0.5))
                continue
            self.advance_to(self._pending[0].at)

    def advance_to(self, replica_seconds: float) -> None:
        """Apply every event due by ``replica_seconds`` (the clock thread calls it)."""
        batch = []
        while self._pending and self._pending[0].at <= replica_seconds:
            batch.append(heapq.heappop(self._pending))
        if batch:
            self._apply(batch)

    def respond(self, raw_path: str) -> Page:
        if not self.sitemaps:  # a site without sitemaps: none named, none served
            path = urlsplit(raw_path).path
            if path == "/robots.txt":
                return Page(200, routes.robots_txt(None).encode(), "text/plain; charset=utf-8")
            if path.startswith("/sitemaps/"):
                return index_pages.render_not_found()
        return super().respond(raw_path)

    # -- what happens ---------------------------------------------------------------

    def _publish_history(self) -> None:
        """The articles of before the start, each dated when it appeared (real time,
        at the replica's speed), not logged: the truth starts with the clock."""
        for event in self.history:
            when = datetime.fromtimestamp(self.real_time(event.at), UTC).astimezone(BEIRUT)
            self._publish(event.data, when.replace(microsecond=0))
        self._history_len = len(self._live)
        with self._state_lock:
            self._articles = [*content.ARTICLES, *self._live]
            self._cache.clear()

    def _apply(self, batch: list[Event]) -> None:
        real = time.time()
        published = datetime.fromtimestamp(real, UTC).astimezone(BEIRUT)
        published = published.replace(microsecond=0)
        articles_changed = ticker_changed = False
        for event in batch:
            record = {"kind": event.kind, "at": event.at, "real": real, **event.data}
            if event.kind == "article":
                self._publish(event.data, published)
                record["url"] = self.base_url + self._live[-1]["path"]
                articles_changed = True
            elif event.kind == "edit":
                index = self._history_len + event.data["index"]  # a live article
                article = self._live[index]
                edited = changes.edited(
                    article, title=f"{article['title']} (updated {event.data['n']})",
                    body=f"Update {event.data['n']}: new details emerged.\n\n"
                         + "\n\n".join(p for p in article["body"] if isinstance(p, str)),
                    modified=published)
                self._live[index] = edited
                record.update(url=self.base_url + edited["path"], title=edited["title"])
                articles_changed = True
            elif event.kind == "breaking_on":
                self._on_air.insert(0, event.data["text"])
                ticker_changed = True
            elif event.kind == "breaking_off":
                self._on_air.remove(event.data["text"])
                ticker_changed = True
            self._log.append(record)
        with self._state_lock:
            if articles_changed:
                self._articles = [*content.ARTICLES, *self._live]
            if ticker_changed:
                self._breaking = list(self._on_air)
            self._cache.clear()

    def _publish(self, data: dict, published: datetime) -> None:
        record = changes.new_article(
            data["key"], data["title"], category=data["category"], section=data["section"],
            published=published, regions=[],
            listed=dict(home=data["home"], section=1, regions=list(data["regions"])))
        if data["category"] == data["section"]:  # Infographs, In Pictures: no section
            record["section"] = None
        if data["category"] == "Videos":  # the site's video pages: /videos/<slug>
            record["path"] = "/videos/" + content.slugify(data["title"])
        # Like the site's other articles (else the layout alarm rightly fires): an
        # image with a caption, the regions it is listed under, Related News.
        donor = _DONORS[crc32(data["key"].encode()) % len(_DONORS)]
        record.update(image=donor["image"], image_alt=donor["image_alt"],
                      caption=donor["caption"],
                      regions=[REGIONS[slug] for slug in data["regions"]])
        record["body"] = [*record["body"], ("related", [donor["key"]])]
        record = content.normalise(record)
        self._live.append(record)
        index = content.index_path_of(record)
        # Newest first: page by rank in its section; the home and region pages keep
        # their newest few (the others fall off those pages, not off the site).
        same_section = [i for i, a in enumerate(self._live) if content.index_path_of(a) == index]
        for rank, i in enumerate(reversed(same_section)):
            self._live[i] = _relisted(self._live[i], section=rank // PAGE_SIZE + 1)
        featured = [i for i, a in enumerate(self._live) if a["listed"]["home"]]
        for i in featured[:-HOME_SIZE]:
            self._live[i] = _relisted(self._live[i], home=False)
        for slug in data["regions"]:
            listed = [i for i, a in enumerate(self._live) if slug in a["listed"]["regions"]]
            for i in listed[:-REGION_SIZE]:
                regions = [r for r in self._live[i]["listed"]["regions"] if r != slug]
                self._live[i] = _relisted(self._live[i], regions=regions)

    # -- the truth --------------------------------------------------------------------

    def truth(self) -> dict:
        """What happened so far: ``articles`` (url, key, section, index path, home,
        regions, ``at`` replica seconds, ``real`` epoch seconds), ``breaking`` (text,
        on/off in both clocks; off None while on air), ``edits`` (url, title, at, real)."""
        log = list(self._log)
        articles = [dict(url=r["url"], key=r["key"], section=r["section"],
                         category=r["category"], home=r["home"], regions=r["regions"],
                         at=r["at"], real=r["real"]) for r in log if r["kind"] == "article"]
        breaking: dict[str, dict] = {}
        for r in log:
            if r["kind"] == "breaking_on":
                breaking[r["text"]] = dict(text=r["text"], on=r["at"], on_real=r["real"],
                                           off=None, off_real=None)
            elif r["kind"] == "breaking_off":
                breaking[r["text"]].update(off=r["at"], off_real=r["real"])
        edits = [dict(url=r["url"], title=r["title"], at=r["at"], real=r["real"])
                 for r in log if r["kind"] == "edit"]
        return {"seed": self.seed, "hours": self.hours, "speed": self.speed,
                "started_real": self.started_real, "articles": articles,
                "breaking": list(breaking.values()), "edits": edits}


def _relisted(article: dict, **listed) -> dict:
    return {**article, "listed": {**article["listed"], **listed}}


def serve_live(port: int, host: str, seed: int, hours: float, speed: float,
               history_hours: float = 0.0) -> None:
    """``python -m crawler.replica --live``: serve until Ctrl-C."""
    site = LiveReplica(seed=seed, hours=hours, speed=speed, host=host, port=port,
                       history_hours=history_hours).start()
    print(f"Live replica at {site.base_url}/ (seed {seed}, {hours} replica hours at "
          f"{speed:g}x after {history_hours:g} hours of history; Ctrl-C to stop)",
          flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
