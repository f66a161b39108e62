"""Benchmark: harvesting the local demo site, govharvest vs Scrapy, same pages, same concurrency.

The demo site runs in its own process (so neither crawler shares a GIL with the server) with
`scale` generated articles, pre-rendered. govharvest harvests the hunan, TRS and Hanweb
columns (the broken-cases column is left out: its deliberate waits would measure the server)
with politeness delay 0 and `concurrency` requests in flight to the host, archiving every
response to WARC and parsing list pages, articles and attachments as usual. Scrapy, in a
subprocess via CrawlerProcess, walks the same columns with the same pagination rules
(links, createPageHTML, Hanweb dataproxy POSTs) at CONCURRENT_REQUESTS(_PER_DOMAIN) =
`concurrency`, robots.txt obeyed, and only counts responses. Figure: pages per second
(HTTP 200 responses of list, article and attachment pages over wall time), best of
`rounds`. Target: govharvest at least as fast as Scrapy (ratio >= 1).

Run: .venv/bin/python bench/crawl.py [--quick] [--scale N] [--concurrency C]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder heads sys.path, and bench/html.py would shadow stdlib html.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import textwrap  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

ROOT = _HERE.parent
sys.path.insert(0, str(ROOT))

from extract.crawl import harvest  # noqa: E402
from extract.profile import SiteProfile, load_profile  # noqa: E402
from extract.settings import USER_AGENT  # noqa: E402

PROFILES = ("demo-hunan", "demo-trs", "demo-hanweb")
BROKEN_COLUMN = "/11287/11399/"
PYTHON = sys.executable

SERVER = textwrap.dedent("""
    import sys
    from demo import DemoSite
    site = DemoSite(port=0, scale=int(sys.argv[1]))
    site.warm()
    site.start()
    print(site.base_url, flush=True)
    site.serve_forever()
""")

SPIDER = textwrap.dedent(r'''
    import json, re, sys, time
    from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit
    import scrapy
    from scrapy.crawler import CrawlerProcess

    concurrency, user_agent, starts = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    ARTICLE = re.compile(r"/content_\d+\.html?$|/\d{6}/t\d{8}_\d+\.s?html?$"
                         r"|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$")
    PAGE = re.compile(r"/index_\d+\.html?$|/index\.jsp\?pager\.offset=\d+")
    TRS = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,"
                     r"\s*[\"'](\w+)[\"']")
    RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
    NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S)
    TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
    EXTS = (".pdf", ".doc", ".docx")
    PER, GROUP = 15, 3
    pages = {"n": 0}

    def is_attachment(url):
        parts = urlsplit(url.lower())
        return parts.path.endswith(EXTS) or any(v.endswith(EXTS)
                                                for _, v in parse_qsl(parts.query))

    class Demo(scrapy.Spider):
        name = "demo"

        async def start(self):  # Scrapy >= 2.13 (start_requests is gone)
            for url in starts:
                yield scrapy.Request(url, callback=self.parse_list, cb_kwargs={"first": True})

        def parse_list(self, response, first=False):
            pages["n"] += 1
            text = response.text
            hrefs = response.css("a::attr(href)").getall()
            records = RECORD.findall(text)
            for fragment in records:
                hrefs += scrapy.Selector(text=fragment).css("a::attr(href)").getall()
            column_dir = urljoin(response.url, ".")
            for href in hrefs:
                url = response.urljoin(href)
                if ARTICLE.search(url):
                    yield scrapy.Request(url, callback=self.parse_article)
                elif PAGE.search(url) and url.startswith(column_dir):
                    yield scrapy.Request(url, callback=self.parse_list)
            if not first:
                return
            if m := TRS.search(text):
                for i in range(1, int(m[1])):
                    yield scrapy.Request(urljoin(response.url, f"{m[3]}_{i}.{m[4]}"),
                                         callback=self.parse_list)
            group, total = NEXTGROUP.search(text), TOTAL.search(text)
            if group and total:
                href = scrapy.Selector(text=group[1]).css("a::attr(href)").get()
                form = {k: v for k, v in parse_qsl(urlsplit(href).query) if k != "page"}
                endpoint = urljoin(response.url, urlsplit(href).path)
                start = len(records) + 1
                while start <= int(total[1]):
                    end = min(int(total[1]), start + PER * GROUP - 1)
                    query = urlencode({"startrecord": start, "endrecord": end, "perpage": PER})
                    yield scrapy.FormRequest(f"{endpoint}?{query}", formdata=form,
                                             callback=self.parse_list)
                    start = end + 1

        def parse_article(self, response):
            pages["n"] += 1
            for href in response.css("a::attr(href)").getall():
                url = response.urljoin(href)
                if is_attachment(url):
                    yield scrapy.Request(url, callback=self.count)

        def count(self, response):
            pages["n"] += 1

    process = CrawlerProcess(settings={
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": True,
        "USER_AGENT": user_agent,
        "LOG_LEVEL": "ERROR",
        "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024,
    })
    process.crawl(Demo)
    t0 = time.perf_counter()
    process.start()
    print(json.dumps({"pages": pages["n"], "seconds": time.perf_counter() - t0}))
''')


def start_server(scale: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([PYTHON, "-c", SERVER, str(scale)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    base_url = proc.stdout.readline().strip()
    if not base_url.startswith("http://"):
        proc.kill()
        raise RuntimeError("demo site did not start")
    return proc, base_url


def bench_profiles(base_url: str, concurrency: int) -> list[SiteProfile]:
    out = []
    for name in PROFILES:
        profile = load_profile(name, base_url=base_url)
        starts = [u for u in profile.start_urls if not u.startswith(BROKEN_COLUMN)]
        out.append(SiteProfile.model_validate({**profile.model_dump(), "start_urls": starts}))
    return out


def run_ours(profiles: list[SiteProfile], concurrency: int) -> tuple[int, float]:
    knobs = {"concurrency_per_host": concurrency, "workers": concurrency}
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(len(profiles)) as pool:
        t0 = time.perf_counter()
        results = list(pool.map(
            lambda p: harvest(p, Path(tmp), run_id="bench", delay=0, settings=knobs),
            profiles))
        seconds = time.perf_counter() - t0
    return sum(r.counts["pages_fetched"] for r in results), seconds


def run_scrapy(profiles: list[SiteProfile], concurrency: int) -> tuple[int, float]:
    starts = [u for p in profiles for u in p.absolute_start_urls()]
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(SPIDER)
    try:
        out = subprocess.run([PYTHON, fh.name, str(concurrency), USER_AGENT, *starts],
                             capture_output=True, text=True, check=True, cwd=ROOT)
    finally:
        Path(fh.name).unlink()
    line = next(ln for ln in reversed(out.stdout.splitlines()) if ln.startswith("{"))
    data = json.loads(line)
    return int(data["pages"]), float(data["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small site (200 articles)")
    parser.add_argument("--scale", type=int, default=None, help="generated articles")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args()
    scale = args.scale or (200 if args.quick else 2000)
    rounds = args.rounds or 3

    server, base_url = start_server(scale)
    try:
        profiles = bench_profiles(base_url, args.concurrency)
        ours: list[tuple[int, float]] = []
        theirs: list[tuple[int, float]] = []
        for _ in range(rounds):  # alternate, so drift on a shared machine hits both
            theirs.append(run_scrapy(profiles, args.concurrency))
            ours.append(run_ours(profiles, args.concurrency))
    finally:
        server.terminate()
        server.wait(timeout=10)

    best_ours = max(ours, key=lambda r: r[0] / r[1])
    best_theirs = max(theirs, key=lambda r: r[0] / r[1])
    pps_ours = best_ours[0] / best_ours[1]
    pps_theirs = best_theirs[0] / best_theirs[1]
    ratio = pps_ours / pps_theirs
    print(f"site: {scale} generated articles, concurrency {args.concurrency}, "
          f"best of {rounds}")
    print(f"govharvest: {best_ours[0]} pages in {best_ours[1]:.2f} s = {pps_ours:.1f} pages/s "
          "(archived to WARC, parsed)")
    print(f"scrapy:     {best_theirs[0]} pages in {best_theirs[1]:.2f} s = "
          f"{pps_theirs:.1f} pages/s (counted only)")
    print(f"ratio govharvest/scrapy: {ratio:.2f}")
    print(json.dumps({
        "bench": "crawl",
        "figures": {"pages": best_ours[0], "seconds": round(best_ours[1], 3),
                    "pages_per_s": round(pps_ours, 1), "scale": scale,
                    "concurrency": args.concurrency},
        "baseline": {"tool": "scrapy", "pages": best_theirs[0],
                     "seconds": round(best_theirs[1], 3), "pages_per_s": round(pps_theirs, 1)},
        "ratio": round(ratio, 3),
        "target": "govharvest pages/s >= scrapy pages/s (ratio >= 1)",
        "meets_target": ratio >= 1.0,
    }))


if __name__ == "__main__":
    main()
