"""Running unattended: the scheduler, the crawl lock, run health and the layout-change
alarm. Imports crawl, db and the foundation; never cli (the scheduler is given the
command line it runs)."""
