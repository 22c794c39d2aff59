"""The built book, page by page, in headless Chromium, as a reader would see it offline.

`bash setup.sh` builds the book into _build/html before the tests run (the README's two
commands). For every page, this test fails on:

- an image that does not load (``naturalWidth == 0``), or a content image with neither
  alt text nor a figure caption;
- a console error (a JavaScript error, a missing file);
- a request to anything but the local files: every request is recorded, and requests to
  other hosts are also blocked, so a page that needs the network fails here as it would
  offline;
- an interactive plotly figure that does not render (a ``.plotly-graph-div`` without a
  ``.main-svg`` after load, or no ``Plotly``).

Each page is saved as a full-page screenshot in _build/screenshots/ (look at them).
Chromium and its driver are Debian packages (`.ci/run` installs them):
``sudo apt-get install -y chromium chromium-driver``. Without them the page tests FAIL (they do
not skip): CI must not pass without looking at the pages.

The cheap file-size checks (no page over 2 MB, the site under 40 MB) need no browser.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# COURSE_BOOK_HTML points the tests at another build (e.g. one page built into /tmp)
SITE = Path(os.environ.get("COURSE_BOOK_HTML", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = SITE.parent / "screenshots"
MAX_PAGE_BYTES = 2 * 1024 * 1024
MAX_SITE_BYTES = 40 * 1024 * 1024
INSTALL = ("install Chromium and its driver (Debian/Ubuntu): "
           "sudo apt-get update && sudo apt-get install -y chromium chromium-driver")
NOT_BUILT = "the book is not built: run `bash setup.sh` first (it builds _build/html)"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1",
                  "--window-size=1280,900")
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
PLOTLY_TIMEOUT = 20  # seconds for every plotly figure of a page to draw
MAX_SCREENSHOT_HEIGHT = 16000  # px: longer pages are cut (Chromium's texture limit)


def _pages() -> list[Path]:
    if not SITE.is_dir():
        return []
    return sorted(p for p in SITE.rglob("*.html")
                  if not p.relative_to(SITE).parts[0].startswith(("_static", "_sources")))


def _page_id(page: Path) -> str:
    return page.relative_to(SITE).as_posix()


PAGES = _pages()


# ------------------------------------------------------------------ cheap file-size checks

def test_the_book_is_built():
    assert SITE.is_dir() and (SITE / "index.html").is_file(), NOT_BUILT
    assert len(PAGES) > 10, f"only {len(PAGES)} pages in {SITE}: {NOT_BUILT}"


def test_no_page_over_2_mb():
    assert PAGES, NOT_BUILT
    heavy = {_page_id(p): p.stat().st_size for p in PAGES if p.stat().st_size > MAX_PAGE_BYTES}
    assert not heavy, (f"pages over 2 MB: {heavy}; keep figures small (figsize, dpi), "
                       "subsample slice_browser frames (step), hide large outputs")


def test_the_site_is_under_40_mb():
    assert SITE.is_dir(), NOT_BUILT
    files = [p for p in SITE.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    largest = sorted(files, key=lambda p: p.stat().st_size, reverse=True)[:5]
    assert total < MAX_SITE_BYTES, (
        f"the site is {total / 2**20:.1f} MB (limit 40 MB); largest files: "
        + ", ".join(f"{p.relative_to(SITE)} {p.stat().st_size / 2**20:.1f} MB" for p in largest))


def test_static_files_are_local_and_lean():
    assert SITE.is_dir(), NOT_BUILT
    static = SITE / "_static"
    assert (static / "mathjax" / "tex-chtml.js").is_file(), "_ext/course_book.py copies MathJax"
    assert not list(static.rglob("*.map")), "source maps belong to developer tools, not the site"


def test_plotly_js_is_served_once_and_only_where_needed():
    assert PAGES, NOT_BUILT
    assert (SITE / "_static" / "plotly.min.js").is_file(), "_ext/course_book.py did not copy it"
    for page in PAGES:
        html = page.read_text(encoding="utf-8", errors="replace")
        has_figure = 'class="plotly-graph-div"' in html
        loads = re.search(r'<script[^>]+src="[^"]*_static/plotly\.min\.js', html) is not None
        assert has_figure == loads, (f"{_page_id(page)}: plotly figure={has_figure}, "
                                     f"loads plotly.js={loads}")
        assert "cdn.plot.ly" not in html, f"{_page_id(page)} loads plotly.js from a CDN"
        assert not re.search(r"plotly\.js v\d", html), f"{_page_id(page)} embeds plotly.js"


# ----------------------------------------------------------------------- browser checks

@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        pytest.fail(f"Chromium is needed for the page tests but "
                    f"{'chromium' if chromium is None else 'chromedriver'} is not on PATH; "
                    f"{INSTALL}", pytrace=False)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is missing: pip install -r requirements.txt", pytrace=False)

    profile = tempfile.mkdtemp(prefix="course-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # explicit driver path: Selenium Manager (which downloads drivers) is never run
    service = Service(executable_path=driver_path)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs",
                           {"urls": ["http://*", "https://*", "ws://*", "wss://*", "ftp://*"]})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _drain(driver, kind: str) -> list[dict]:
    return driver.get_log(kind)


def _requests(performance_log: list[dict]) -> tuple[list[str], list[str]]:
    """URLs requested, and ``url: error`` for requests that failed, from the DevTools log."""
    urls, failed, by_id = [], [], {}
    for entry in performance_log:
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.requestWillBeSent":
            url = params["request"]["url"]
            by_id[params.get("requestId")] = url
            urls.append(url)
        elif message.get("method") == "Network.loadingFailed":
            url = by_id.get(params.get("requestId"), "?")
            failed.append(f"{url}: {params.get('errorText')} "
                          f"{params.get('blockedReason', '')}".strip())
    return urls, failed


def _screenshot(driver, page: Path) -> Path:
    target = SCREENSHOTS / (_page_id(page).replace("/", "__").removesuffix(".html") + ".png")
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    width = max(1, int(size["width"]))
    height = max(1, min(int(size["height"]), MAX_SCREENSHOT_HEIGHT))
    # a viewport as tall as the page: captureBeyondViewport alone lays the theme out wrongly
    # (the article shifted left, no sidebars)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    try:
        time.sleep(0.2)
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    target.write_bytes(base64.b64decode(shot["data"]))
    return target


def _settle(driver, timeout: float = 10.0) -> None:
    """Wait until the page stops navigating (a redirect) and has loaded."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            state = (driver.current_url,
                     driver.execute_script("return document.readyState"))
        except Exception:   # the page navigated while the script ran
            state = None
        if state is not None and state == last and state[1] == "complete":
            return
        last = state
        time.sleep(0.2)


IMAGES_JS = """
return Array.from(document.images).map(img => {
  const figure = img.closest('figure');
  const caption = figure ? figure.querySelector('figcaption') : null;
  return {src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0,
          alt: (img.getAttribute('alt') || '').trim(),
          caption: caption ? caption.textContent.trim() : '',
          content: !!img.closest('article, .bd-article, main')};
});
"""

PLOTLY_JS = """
const divs = Array.from(document.querySelectorAll('.plotly-graph-div'));
return {n: divs.length, plotly: typeof window.Plotly !== 'undefined',
        missing: divs.filter(d => !d.querySelector('.main-svg')).map(d => d.id)};
"""

FILE_LIKE = re.compile(r"(^|/)[^ ]+\.(png|jpe?g|svg|gif|webp)$", re.I)


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_page_in_chromium(browser, page):
    _drain(browser, "browser"), _drain(browser, "performance")   # forget the previous page
    browser.get(page.as_uri())
    _settle(browser)   # index.html redirects to the first page
    # scroll through the page so lazy images load, then back to the top
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight);")
    browser.execute_script("window.scrollTo(0, 0);")
    deadline = time.monotonic() + PLOTLY_TIMEOUT
    plotly = browser.execute_script(PLOTLY_JS)
    while plotly["missing"] and plotly["plotly"] and time.monotonic() < deadline:
        time.sleep(0.25)
        plotly = browser.execute_script(PLOTLY_JS)
    browser.execute_script("return document.fonts ? document.fonts.ready : null;")
    time.sleep(0.3)   # late errors (MathJax, fonts)
    images = browser.execute_script(IMAGES_JS)
    shot = _screenshot(browser, page)
    console = _drain(browser, "browser")
    urls, failed = _requests(_drain(browser, "performance"))

    problems = []
    for url in urls:
        if not url.startswith(LOCAL_SCHEMES):
            problems.append(f"request to another host (blocked): {url}")
    for failure in failed:
        problems.append(f"request failed: {failure}")
    for entry in console:
        if entry.get("level") == "SEVERE":
            problems.append(f"console error: {entry.get('message')}")
    for image in images:
        if not image["loaded"]:
            problems.append(f"image does not load (naturalWidth 0): {image['src']}")
        if image["content"]:
            alt = image["alt"]
            has_alt = bool(alt) and not FILE_LIKE.search(alt)  # docutils puts the path there
            if not has_alt and not image["caption"]:
                problems.append(f"image without alt text or caption: {image['src']} (add "
                                "mystnb: figure: caption or image: alt to its cell)")
    if plotly["n"]:
        if not plotly["plotly"]:
            problems.append(f"{plotly['n']} plotly figure(s) but Plotly is undefined "
                            "(plotly.min.js not loaded: see _ext/course_book.py)")
        elif plotly["missing"]:
            problems.append(f"plotly figure(s) not rendered (no .main-svg after "
                            f"{PLOTLY_TIMEOUT} s): {plotly['missing']}")
    assert not problems, (f"{_page_id(page)} ({len(problems)} problem(s); screenshot: "
                          f"{shot}):\n  " + "\n  ".join(problems))


def test_pages_exist_for_the_browser_test():
    """Without a built book the parametrized test above has no pages: fail, not skip."""
    assert PAGES, NOT_BUILT
    if os.environ.get("CI"):
        assert shutil.which("chromium") and shutil.which("chromedriver"), INSTALL


# ------------------------------------------- the book's Sphinx extension (no build needed)

def _course_book():
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_book", ROOT / "_ext" / "course_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _App:
    def __init__(self, srcdir):
        self.srcdir, self.js = srcdir, []

    def add_js_file(self, filename, **kwargs):
        self.js.append((filename, kwargs))


def test_extension_adds_plotly_only_to_pages_with_a_figure(tmp_path):
    ext = _course_book()
    app = _App(tmp_path)
    ext.add_plotly_where_needed(app, "a", "page.html", {"body": "<p>text</p>"}, None)
    assert app.js == []
    ext.add_plotly_where_needed(app, "b", "page.html",
                                {"body": '<div id="x" class="plotly-graph-div"></div>'}, None)
    assert [name for name, _ in app.js] == ["plotly.min.js"]
    assert ext.plotly_js_source().stat().st_size > 1_000_000


def test_extension_refuses_a_remote_mathjax():
    from sphinx.errors import ExtensionError

    ext = _course_book()

    class Config:
        mathjax_path = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"

    with pytest.raises(ExtensionError, match="remote URL"):
        ext.check_mathjax_is_local(None, Config())
    Config.mathjax_path = "mathjax/tex-chtml.js"
    ext.check_mathjax_is_local(None, Config())
    assert (ext.mathjax_source() / "tex-chtml.js").is_file()


def test_extension_points_colab_at_the_exercise_or_removes_it(tmp_path):
    ext = _course_book()
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "03_windowing.ipynb").write_text("{}")
    url = "https://colab.research.google.com/github/org/repo/blob/main/book/03_windowing.md"

    def context():
        return {"header_buttons": [{"label": "launch-buttons", "buttons": [
            {"text": "Binder", "url": "https://mybinder.org/x"},
            {"text": "Colab", "url": url.replace("03_windowing", "PAGE")}]}]}

    app = _App(tmp_path)
    chapter = context()
    chapter["header_buttons"][0]["buttons"][1]["url"] = url
    ext.fix_colab_button(app, "book/03_windowing", "page.html", chapter, None)
    colab = chapter["header_buttons"][0]["buttons"][1]
    assert colab["url"].endswith("/blob/main/exercises/03_windowing.ipynb")
    for page in ("book/intro", "book/05_heatmap_overlays"):   # no exercise file for 05 here
        other = context()
        ext.fix_colab_button(app, page, "page.html", other, None)
        assert [b["text"] for b in other["header_buttons"][0]["buttons"]] == ["Binder"]


def test_extension_keeps_one_copy_of_each_inline_script():
    from sphinx.builders.html._assets import _JavaScript

    ext = _course_book()
    scripts = [_JavaScript(None, body="const A = 1"), _JavaScript("x.js"),
               _JavaScript("", body="const A = 1"), _JavaScript("", body="const B = 2")]
    context = {"script_files": scripts}
    ext.drop_duplicate_inline_scripts(None, "p", "page.html", context, None)
    assert [(s.filename or "", s.attributes.get("body")) for s in context["script_files"]] == [
        ("", "const A = 1"), ("x.js", None), ("", "const B = 2")]
