"""newsmon's own Scrapy signals: how layers above one crawl take part in it without
the crawl importing them (Scrapy's ``crawler.signals``)."""

# Sent by the store pipeline as it closes a run, before its status is written, with
# ``store``, ``run_id``, ``base_url`` and ``stats``. A receiver that returns True marks
# the run ``degraded`` (crawler.ops.layout_alarm.LayoutAlarm).
run_closing = object()

# Sent by a spider that runs until stopped (the monitor) when its run has lasted long
# enough: the store pipeline closes the run (judged as at the end: ``run_closing``)
# and goes on under a new one, so that `runs` and `status` see it work.
run_checkpoint = object()
