"""The offline demo portal: a real HTTP server replicating three government CMS families.

`DemoSite` is the server; `extract.demosite.site` is its content model; page templates of
the three families live in `extract.demosite.families`.
"""

from extract.demosite.server import DemoSite, LoggedRequest, moved_path

__all__ = ["DemoSite", "LoggedRequest", "moved_path"]
