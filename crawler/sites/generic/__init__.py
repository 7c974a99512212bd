"""The generic profile: reads an article of any site from its metadata (JSON-LD,
microdata, OpenGraph and meta tags) and then its visible page (``parser``)."""
