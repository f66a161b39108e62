"""Site profiles: one YAML (or TOML) file per site, validated against a typed schema at load.

A profile names its hosts, start (column) URLs, how to find article links and further list
pages, and detail-page selectors. `extends:` layers it on a base (a family in
`sites/families/`, or another profile): mappings merge key by key, anything else the child
replaces. Start URLs may be relative; they resolve against `base_url`, which a caller may
override (`load_profile("demo-hunan", base_url=site.base_url)`) so one profile serves a demo
site on any port. Adding a site needs no code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from extract.attachments import READABLE_TYPES
from extract.settings import HarvestSettings
from transform.patterns import ATTACHMENT_EXTENSIONS

SITES_DIR = Path(__file__).resolve().parent.parent / "sites"
FAMILIES_SUBDIR = "families"
_SUFFIXES = (".yaml", ".yml", ".toml")
# libyaml's parser where PyYAML was built with it: a profile is read by every fetch and
# parse task of every night, and the pure-Python parser takes ~1.6 ms a file to its 0.2.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
BASE_URL_PLACEHOLDER = "{base_url}"
READABLE_EXTENSIONS = tuple(e for e in ATTACHMENT_EXTENSIONS if e[1:] in READABLE_TYPES)


class ProfileError(ValueError):
    """A profile file is missing, malformed, or fails schema validation."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ListRules(_Strict):
    """How to read a column (list) page."""

    # How further list pages are found: "links" (page_patterns / next_texts links, level by
    # level), "trs" (createPageHTML), "hanweb" (datastore + dataproxy), "template"
    # (page_template numbered up to the page count the first page announces), "json" (a
    # JSON list endpoint, json_url), "auto" (whichever extract.listing finds), "none".
    pagination: Literal["links", "trs", "hanweb", "template", "json", "auto", "none"] = "links"
    # "structure": a page's entries are its best repeated block (extract.listing), with
    # article_patterns as a hint; item_selector and the rules below only when none is found.
    item_detection: Literal["selector", "structure"] = "selector"
    # CSS selector for one list entry; the first matching link inside is the article, and a
    # date inside it (date_selector, else any YYYY-MM-DD in its text) is the list date.
    item_selector: str = "li"
    link_selector: str = "a[href]"
    date_selector: str | None = None
    # Regexes searched in the absolute article URL; a link must match one to be followed.
    article_patterns: list[str] = Field(default_factory=list)
    # Also take the link of any list entry that carries a date (the generic profile's rule).
    dated_items: bool = False
    # "links" pagination: further list pages are links matching these regexes, or whose text
    # is a "next page" label.
    page_patterns: list[str] = Field(default_factory=list)
    next_texts: list[str] = Field(default_factory=lambda: ["下一页", "下页", "后页"])
    # Hanweb jcms: records per dataproxy request.
    hanweb_perpage: int = Field(15, ge=1)
    # "template": the URL of list page n with `{n}` in it, relative to the start URL
    # ("list_{n}.html", "index.html?page={n}"); page_first is the n of the second page
    # (TRS-like index_1.html: 1). The count comes from the first page ("共5页"); without
    # one, pages are read until one adds nothing new.
    page_template: str | None = None
    page_first: int = Field(2, ge=0)
    # "json": the list's JSON endpoint with `{n}` for its page number, relative to the
    # start URL; json_first is the n of its first page. Records are read by their keys
    # (url/link, title, date/publish_time); the reply's total pages bound the walk.
    json_url: str | None = None
    json_first: int = Field(1, ge=0)

    @model_validator(mode="after")
    def _paginator_fields(self) -> ListRules:
        if self.pagination == "template" and "{n}" not in (self.page_template or ""):
            raise ValueError("pagination 'template' needs page_template with {n} in it")
        if self.pagination == "json" and not self.json_url:
            raise ValueError("pagination 'json' needs json_url")
        return self


class DetailRules(_Strict):
    """Detail (article) pages: body selectors (CSS, or XPath starting with "/"), tried in
    order, the first with text wins; title, dates and source are read by transform.html."""

    body_selectors: list[str] = Field(default_factory=list)
    # Linked documents the harvest fetches and reads: by default the attachment types of
    # transform.patterns that extract.attachments can read.
    attachment_extensions: list[str] = Field(default_factory=lambda: list(READABLE_EXTENSIONS))
    # Below this many characters of body text, a page that links an attachment is a cover
    # for it (transform.cover).
    cover_max_chars: int = Field(200, ge=0)


class SiteProfile(_Strict):
    name: str
    description: str = ""
    family: str | None = None
    extends: str | None = None
    base_url: str
    hosts: list[str] = Field(min_length=1)
    start_urls: list[str] = Field(min_length=1)
    # "list" in the file; `listing` here so the builtin stays usable in annotations.
    listing: ListRules = Field(default_factory=lambda: ListRules.model_validate({}), alias="list")
    detail: DetailRules = Field(default_factory=lambda: DetailRules.model_validate({}))
    # Fetch-policy overrides (any HarvestSettings field); family values are already merged in.
    settings: dict[str, Any] = Field(default_factory=dict)
    # Hosts the user named (a profile file names all its hosts; the generic profile only
    # the --allow-host ones). Only these may resolve to loopback/private addresses.
    named_hosts: list[str] | None = None
    enabled: bool = True  # part of the nightly run when no sites are named
    source_path: Path | None = None

    @field_validator("base_url")
    @classmethod
    def _http_base(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an absolute http(s) URL, got {value!r}")
        return value.rstrip("/") + "/"

    @field_validator("hosts")
    @classmethod
    def _lower_hosts(cls, value: list[str]) -> list[str]:
        return [h.strip().lower() for h in value]

    @field_validator("settings")
    @classmethod
    def _known_settings(cls, value: dict[str, Any]) -> dict[str, Any]:
        HarvestSettings(**value)  # raises on unknown keys or bad values
        return value

    def explicit_hosts(self) -> list[str]:
        return self.hosts if self.named_hosts is None else self.named_hosts

    def absolute_start_urls(self) -> list[str]:
        """Start URLs resolved against base_url (relative, or with a `{base_url}` prefix)."""
        base = self.base_url.rstrip("/")
        return [urljoin(self.base_url, url.replace(BASE_URL_PLACEHOLDER, base))
                for url in self.start_urls]

    def with_base_url(self, base_url: str) -> SiteProfile:
        return self.model_validate({**self.model_dump(), "base_url": base_url})


def deep_merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        else:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"cannot read profile {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"profile {path} is not a mapping")
    return data


def _find(name: str, sites_dir: Path) -> Path:
    for folder in (sites_dir, sites_dir / FAMILIES_SUBDIR):
        for suffix in _SUFFIXES:
            candidate = folder / f"{name}{suffix}"
            if candidate.is_file():
                return candidate
    known = sorted(p.stem for p in sites_dir.glob("*") if p.suffix in _SUFFIXES)
    raise ProfileError(f"no profile named {name!r} in {sites_dir}; known profiles: "
                       f"{', '.join(known) or 'none'} (or pass a profile file's path)")


def _resolve_path(name_or_path: str | Path, sites_dir: Path) -> Path:
    path = Path(name_or_path)
    if path.suffix in _SUFFIXES or path.is_file():
        if not path.is_file():
            raise ProfileError(f"profile file {path} does not exist")
        return path
    return _find(str(name_or_path), sites_dir)


def _raw_merged(path: Path, sites_dir: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    if path.resolve() in seen:
        raise ProfileError(f"profile inheritance cycle: {' -> '.join(map(str, (*seen, path)))}")
    data = _read(path)
    parent = data.get("extends")
    if parent:
        base = _raw_merged(_find(str(parent), sites_dir), sites_dir, (*seen, path.resolve()))
        base.pop("name", None)  # a name is never inherited
        data = deep_merge(base, data)
    return data


def load_profile(
    name_or_path: str | Path,
    *,
    base_url: str | None = None,
    sites_dir: Path | None = None,
) -> SiteProfile:
    """Load and validate a profile by name (`sites/NAME.yaml`, then families) or by path."""
    folder = sites_dir or SITES_DIR
    path = _resolve_path(name_or_path, folder)
    data = _raw_merged(path, folder)
    data.setdefault("name", path.stem)
    data["extends"] = _read(path).get("extends")
    if base_url is not None:
        data["base_url"] = base_url
    data["source_path"] = path
    try:
        return SiteProfile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(f"invalid profile {path}:\n{exc}") from exc


def read_family(name: str, sites_dir: Path | None = None) -> dict[str, Any]:
    """A family base as its merged mapping (not validated: a family names no site)."""
    folder = sites_dir or SITES_DIR
    return _raw_merged(_find(name, folder), folder)


def list_profiles(sites_dir: Path | None = None) -> list[SiteProfile]:
    """Every site profile (families are bases, not sites), sorted by name."""
    folder = sites_dir or SITES_DIR
    paths = sorted(p for p in folder.iterdir() if p.suffix in _SUFFIXES and p.is_file())
    return [load_profile(p, sites_dir=folder) for p in paths]


def generic_profile(
    start_url: str,
    allow_hosts: Sequence[str] = (),
    *,
    sites_dir: Path | None = None,
) -> SiteProfile:
    """The `generic` family pointed at one list page: try a new site before profiling it."""
    parts = urlsplit(start_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProfileError(f"start URL must be absolute http(s), got {start_url!r}")
    folder = sites_dir or SITES_DIR
    path = _find("generic", folder)
    data = _raw_merged(path, folder)
    data.update(
        name=parts.hostname.lower(),
        family="generic",
        base_url=f"{parts.scheme}://{parts.netloc}/",
        hosts=[h.lower() for h in allow_hosts] or [parts.hostname.lower()],
        named_hosts=[h.lower() for h in allow_hosts],
        start_urls=[start_url],
        source_path=path,
    )
    try:
        return SiteProfile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(f"invalid generic profile for {start_url}:\n{exc}") from exc


def resolve_profile(
    profile: SiteProfile | str | Path | None,
    start_url: str | None = None,
    allow_hosts: Sequence[str] = (),
    base_url: str | None = None,
) -> SiteProfile:
    """The profile a harvest runs: a SiteProfile, a name or path, or the generic profile
    pointed at `start_url`; `base_url` replaces the profile's (demo sites on any port)."""
    if start_url is not None:
        if profile not in (None, "generic"):
            raise ValueError("give either a profile or a start_url (generic profile), not both")
        return generic_profile(start_url, allow_hosts)
    if profile is None:
        raise ValueError("harvest needs a profile (name, path or SiteProfile) or a start_url")
    if isinstance(profile, SiteProfile):
        return profile.with_base_url(base_url) if base_url else profile
    return load_profile(profile, base_url=base_url)
