"""`python -m crawler.cli`: how the scheduler starts each crawl as a child process."""

import sys

from crawler.cli.main import main

sys.exit(main())
