"""Site profiles: which parser reads a page, chosen by its host (`profiles.py`); one
package per site with its URL rules and parsers, and `generic/` for any other host."""
