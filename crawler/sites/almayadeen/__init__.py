"""Al Mayadeen English: its URL rules, menus, index and ticker readers, and article
parser (structured metadata first, the visible markup after)."""
