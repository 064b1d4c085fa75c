"""The documentation site (`make docs`, build/docs/html) as a reader's browser shows it.

Every page is opened in real headless Chromium (Debian's `chromium`, driven through its WebDriver,
`chromium-driver`, with Selenium); the checks read the DOM it built. What the site must hold comes from ansible-doc, not from the site: every module, lookup,
filter and role of the installed collection, and every guide in docs/.

    make docs-test      # builds the site, then runs this file
"""

import functools
import html.parser
import json
import os
import pathlib
import shutil
import subprocess
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SITE = pathlib.Path(os.environ.get("ONESHOT_DOCS_DIR", ROOT / "build" / "docs")).resolve()
HTML = SITE / "html"
PLUGINS = SITE / "html" / "collections" / "oneshot" / "secrets"
SCREENSHOT = SITE / "pwpush_push.png"
CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                  "--disable-dev-shm-usage", "--window-size=1280,1600"]

pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                                reason="make docs-test installs Debian's chromium and chromium-driver")


class Page(html.parser.HTMLParser):
    """What the checks need from a DOM: ids, links, the visible text, the example blocks."""

    def __init__(self, text):
        super().__init__()
        self.ids, self.links, self.words, self.code = set(), [], [], []
        self._code_depth = 0
        self._skip = 0
        self.feed(text)
        self.text = " ".join(" ".join(self.words).split())

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "pre":
            self._code_depth += 1
            self.code.append("")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "pre":
            self._code_depth -= 1

    def handle_data(self, data):
        if self._skip:
            return
        self.words.append(data)
        if self._code_depth:
            self.code[-1] += data


class Browser:
    """One headless Chromium for the whole module; each page's DOM is read once."""

    def __init__(self):
        from selenium import webdriver  # pylint: disable=import-outside-toplevel
        from selenium.webdriver.chrome.service import Service  # pylint: disable=import-outside-toplevel

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        # The Debian driver of the same version: Selenium downloads nothing.
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(60)
        self.pages = {}

    def open(self, path):
        path = pathlib.Path(path).resolve()
        if path not in self.pages:
            self.driver.get(path.as_uri())
            # get() can return while a loaded machine still parses the page: wait for it, within a bound.
            from selenium.webdriver.support.ui import WebDriverWait  # pylint: disable=import-outside-toplevel

            WebDriverWait(self.driver, 30, poll_frequency=0.1).until(
                lambda driver: driver.execute_script("return document.readyState") == "complete",
                "%s did not finish loading within 30 s" % path)
            self.pages[path] = Page(self.driver.page_source)
        return self.pages[path]

    def screenshot(self, path, dest):
        self.driver.get(pathlib.Path(path).as_uri())
        assert self.driver.save_screenshot(str(dest))


@pytest.fixture(scope="module")
def browser():
    chromium = Browser()
    try:
        yield chromium
    finally:
        chromium.driver.quit()


def ansible_doc(*args):
    result = subprocess.run(["ansible-doc", *args, "--json"], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@functools.lru_cache(maxsize=None)
def documented():
    """{(type, short name): option names} of everything the collection documents."""
    found = {}
    for kind in ("module", "lookup", "filter"):
        for name, doc in ansible_doc("-t", kind, *ansible_doc("-t", kind, "-l", "oneshot.secrets")).items():
            found[(kind, name.split(".")[-1])] = (sorted(doc["doc"].get("options") or {}), bool(doc.get("examples")))
    for name, spec in ansible_doc("-t", "role", *ansible_doc("-t", "role", "-l", "oneshot.secrets")).items():
        options = sorted("%s--%s" % (entry, option) for entry, doc in spec["entry_points"].items()
                         for option in doc.get("options") or {})
        found[("role", name.split(".")[-1])] = (options, False)
    return found


def test_the_collection_documents_every_kind_of_plugin():
    kinds = {key[0] for key in documented()}
    assert kinds == {"module", "lookup", "filter", "role"}
    assert ("module", "pwpush_push") in documented()


def test_index_lists_every_plugin_and_guide(browser):
    index = browser.open(PLUGINS / "index.html")
    for kind, name in documented():
        assert "%s_%s.html" % (name, kind) in index.links, "the collection index does not link %s %s" % (kind, name)
        assert "oneshot.secrets.%s" % name in index.text
    home = browser.open(HTML / "index.html")
    assert "collections/oneshot/secrets/index.html" in home.links
    for guide in sorted((ROOT / "docs").glob("*.md")):
        assert "guides/%s.html" % guide.stem in home.links, "the site's index does not link the guide %s" % guide.name


@pytest.mark.parametrize("kind,name", sorted(documented()))
def test_each_plugin_page_renders_its_options_and_examples(browser, kind, name):
    page = browser.open(PLUGINS / ("%s_%s.html" % (name, kind)))
    options, has_examples = documented()[(kind, name)]
    assert "oneshot.secrets.%s %s" % (name, kind) in page.text
    assert options, "%s %s documents no options" % (kind, name)
    for option in options:
        assert "parameter-%s" % option in page.ids, "%s %s: option %s is not rendered" % (kind, name, option)
    if has_examples:
        assert "examples" in page.ids
        assert any("oneshot.secrets.%s" % name in block for block in page.code), \
            "%s %s: no example block uses it" % (kind, name)


def test_every_guide_is_a_page_of_the_site(browser):
    for guide in sorted((ROOT / "docs").glob("*.md")):
        first_heading = next(line[2:].strip() for line in guide.read_text(encoding="utf-8").splitlines()
                             if line.startswith("# "))
        page = browser.open(HTML / "guides" / ("%s.html" % guide.stem))
        assert first_heading in page.text


def test_internal_links_resolve(browser):
    """Every link from a page of the site to the site opens a file that exists, at an id that exists."""
    seen, queue, broken = set(), [HTML / "index.html"], []
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        for href in browser.open(path).links:
            url = urllib.parse.urlsplit(href)
            if url.scheme or url.netloc:
                continue  # outside the site
            target = (path.parent / urllib.parse.unquote(url.path)).resolve() if url.path else path
            if HTML not in target.parents:
                broken.append("%s: %s leaves the site" % (path.relative_to(HTML), href))
            elif not target.is_file():
                broken.append("%s: %s does not exist" % (path.relative_to(HTML), href))
            elif target.suffix == ".html":
                if url.fragment and url.fragment not in browser.open(target).ids:
                    broken.append("%s: %s has no id %s" % (path.relative_to(HTML), href, url.fragment))
                queue.append(target)
    assert not broken, "\n".join(broken)
    # The crawl reached every plugin page from the index.
    for kind, name in documented():
        assert PLUGINS / ("%s_%s.html" % (name, kind)) in seen


def test_screenshot_of_pwpush_push_for_review(browser):
    SCREENSHOT.unlink(missing_ok=True)
    browser.screenshot(PLUGINS / "pwpush_push_module.html", SCREENSHOT)
    data = SCREENSHOT.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # A page that rendered (text, tables, the theme) compresses far worse than a blank one (a few KiB).
    assert len(data) > 50_000, "the screenshot looks blank (%d bytes)" % len(data)
