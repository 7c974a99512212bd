"""What to fetch: the crawl's spider (`almayadeen`) and the sitemap backfill's."""
