"""Site profiles: typed, validated at load, layered on family bases, base_url overridable."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from extract.profile import (
    ProfileError,
    SiteProfile,
    generic_profile,
    list_profiles,
    load_profile,
)


def test_every_shipped_profile_loads_and_names_its_family() -> None:
    profiles = {p.name: p for p in list_profiles()}
    assert {"xtsf.xiangtan.gov.cn", "demo-hunan", "demo-trs", "demo-hanweb"} <= set(profiles)
    assert profiles["xtsf.xiangtan.gov.cn"].family == "hunan"
    assert profiles["demo-trs"].listing.pagination == "trs"
    assert profiles["demo-hanweb"].listing.pagination == "hanweb"
    assert all(isinstance(p, SiteProfile) for p in profiles.values())


def test_demo_profile_extends_the_real_xiangtan_profile() -> None:
    real = load_profile("xtsf.xiangtan.gov.cn")
    demo = load_profile("demo-hunan")
    assert real.hosts == ["xtsf.xiangtan.gov.cn"]
    assert demo.hosts == ["127.0.0.1"]
    # Selectors and URL rules come from the real profile's family, unchanged.
    assert demo.listing == real.listing
    assert demo.detail.body_selectors == ["div.xl-xqnr", "#zoom"]
    # Mappings merge: the demo overrides delay but inherits nothing it did not set.
    assert demo.settings["delay"] == 0.05 and real.settings["delay"] == 2.0
    assert not demo.enabled and real.enabled


def test_base_url_override_moves_relative_start_urls() -> None:
    demo = load_profile("demo-trs", base_url="http://127.0.0.1:4321")
    assert demo.absolute_start_urls()[0] == "http://127.0.0.1:4321/trs/fzzfjs/index.html"
    moved = demo.with_base_url("http://127.0.0.1:9/")
    assert moved.absolute_start_urls()[0].startswith("http://127.0.0.1:9/trs/")


def test_base_url_placeholder_in_start_urls(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("extends: hanweb\nbase_url: http://127.0.0.1:8765\nhosts: [127.0.0.1]\n"
                    "start_urls: ['{base_url}/col/col1/index.html']\n", encoding="utf-8")
    profile = load_profile(path, base_url="http://127.0.0.1:5555")
    assert profile.absolute_start_urls() == ["http://127.0.0.1:5555/col/col1/index.html"]


def test_profile_by_path_yaml_or_toml(tmp_path: Path) -> None:
    toml = tmp_path / "mysite.toml"
    toml.write_text(
        'extends = "trs"\nbase_url = "https://www.example.gov.cn"\n'
        'hosts = ["www.example.gov.cn"]\nstart_urls = ["/col/index.html"]\n'
        "[settings]\ndelay = 4\n",
        encoding="utf-8",
    )
    profile = load_profile(toml)
    assert profile.name == "mysite"
    assert profile.listing.pagination == "trs"  # inherited from the family
    assert profile.settings == {"delay": 4}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("extends: hunan\nbase_url: http://x.gov.cn\nhosts: [x.gov.cn]\n", "start_urls"),
        ("extends: hunan\nbase_url: ftp://x.gov.cn\nhosts: [x]\nstart_urls: [/]\n", "base_url"),
        ("extends: hunan\nbase_url: http://x.gov.cn\nhosts: [x]\nstart_urls: [/]\n"
         "settings: {dalay: 1}\n", "dalay"),
        ("extends: hunan\nbase_url: http://x.gov.cn\nhosts: [x]\nstart_urls: [/]\n"
         "list: {pagination: infinite}\n", "pagination"),
        ("extends: nosuchfamily\nbase_url: http://x.gov.cn\nhosts: [x]\nstart_urls: [/]\n",
         "nosuchfamily"),
        ("extends: hunan\nhosts: [x\nstart_urls: [/]\n", "cannot read profile"),  # bad YAML
        ("- just\n- a list\n", "not a mapping"),
        ("extends: hunan\nbase_url: !!python/object:os.system ls\n", "cannot read profile"),
    ],
)
def test_invalid_profiles_fail_at_load(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ProfileError, match=message):
        load_profile(path)


def test_inheritance_cycles_are_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="cycle"):
        load_profile("a", sites_dir=tmp_path)


def test_generic_profile_from_a_start_url() -> None:
    profile = generic_profile("http://127.0.0.1:8000/list/index.html", ["127.0.0.1"])
    assert profile.family == "generic"
    assert profile.hosts == ["127.0.0.1"]
    assert profile.listing.dated_items
    assert profile.absolute_start_urls() == ["http://127.0.0.1:8000/list/index.html"]
    assert profile.explicit_hosts() == ["127.0.0.1"]
    own_host = generic_profile("https://www.example.gov.cn/col/index.html")
    assert own_host.hosts == ["www.example.gov.cn"]
    assert own_host.explicit_hosts() == []  # derived from the URL, not named by anyone
    assert load_profile("demo-hunan").explicit_hosts() == ["127.0.0.1"]
    with pytest.raises(ProfileError):
        generic_profile("javascript:alert(1)")


def test_attachments_are_fetched_by_the_one_extension_list_transform_records_them_by() -> None:
    """transform.patterns lists attachment extensions once; a harvest fetches, by default,
    those of them that extract.attachments can read."""
    from extract.attachments import sniff_type
    from extract.profile import DetailRules
    from transform.patterns import ATTACHMENT_EXTENSIONS

    readable = [e for e in ATTACHMENT_EXTENSIONS if sniff_type(b"", None, f"/a{e}") != "unknown"]
    assert DetailRules().attachment_extensions == readable == [".pdf", ".doc", ".docx"]


def test_profile_fields_nothing_reads_are_refused() -> None:
    """title/date/source selectors and schedule were validated but never read: gone from the
    schema (a profile naming them fails at load), the families and the docs."""
    from extract.profile import DetailRules, SiteProfile

    for field in ("title_selectors", "date_selectors", "source_selectors"):
        with pytest.raises(ValidationError):
            DetailRules.model_validate({field: ["h1"]})
    with pytest.raises(ValidationError):
        SiteProfile.model_validate({"name": "x", "base_url": "http://h.gov.cn/",
                                    "hosts": ["h.gov.cn"], "start_urls": ["/"],
                                    "schedule": "0 2 * * *"})
