"""Play the recipient of a Password Pusher link: open it the way a person's browser does.

    python examples/demo/recipient.py NAME LINK

The link is what the person got (with the retrieval step: LINK shows a "Click here to reveal" page,
the click opens the secret). Prints what the browser shows, then opens LINK a second time and shows
that it has expired. Exits non-zero if either page is not what a person should see.
"""

import html.parser
import sys
import urllib.parse

import requests


class PageReader(html.parser.HTMLParser):
    """The title, the reveal link and the secret (<pre id="payload">) of a page."""

    def __init__(self, text):
        super().__init__()
        self.title, self.reveal, self.payload = "", None, None
        self._in = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in = "title"
        elif tag == "a" and attrs.get("id") == "reveal":
            self.reveal = attrs.get("href")
        elif tag == "pre" and attrs.get("id") == "payload":
            self._in, self.payload = "payload", ""

    def handle_endtag(self, tag):
        if tag in ("title", "pre"):
            self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "payload":
            self.payload += data


def open_link(browser, url):
    response = browser.get(url, timeout=10, headers={"Accept": "text/html"})
    response.raise_for_status()
    return response, PageReader(response.text)


def main(name, link):
    browser = requests.Session()
    browser.trust_env = False  # a local demo server: no proxy, no netrc
    print("1. %s opens %s" % (name, link))
    response, page = open_link(browser, link)
    print("   the page says: %s" % page.title)
    if page.reveal:
        reveal = urllib.parse.urljoin(response.url, page.reveal)
        print("   %s clicks 'Click here to reveal' (%s)" % (name, reveal))
        response, page = open_link(browser, reveal)
    if page.payload is None:
        sys.exit("   no password on the page (%r): the demo is broken" % page.title)
    print("   the page shows %s's password: %s" % (name, page.payload))
    print("2. %s (or anyone else) opens the same link again" % name)
    response, page = open_link(browser, link)
    print("   the page says: %s" % page.title)
    if page.payload is not None or page.reveal is not None or "expired" not in page.title:
        sys.exit("   the link still works after one view: the demo is broken")
    print("   one view, then gone: the password was in one place only, %s's browser." % name)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
