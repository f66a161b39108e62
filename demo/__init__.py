"""The offline demo portal: a real HTTP server replicating three government CMS families.

`DemoSite` is the server; `demo.site` is its content model; page templates of
the three families live in `demo.families`.
"""

from demo.server import DemoSite, LoggedRequest, moved_path

__all__ = ["DemoSite", "LoggedRequest", "moved_path"]
