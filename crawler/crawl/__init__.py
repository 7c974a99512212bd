"""One crawl: the runner, Scrapy settings, pipelines, middlewares and fetch guards,
incremental memory and resume, rendering and the browser, the outage spool, bad-input
screening, and reparse. Imports sites, extract, db and the foundation; never the
spiders (the caller names the spider), ops or cli."""
