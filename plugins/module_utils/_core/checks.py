# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of values that would let a secret out before any request: a service's url, an email address.

- service_url(): one check of every service's `url` option (no user:password@, query or fragment).
- is_email(): a strict email check (no `:`, so an `email:password` cell is refused, not submitted).
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_HOST_PORT = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[^\s:/?#@\[\]\\]+)(?::([0-9]{1,5}))?\Z")
_EMAIL = re.compile(r"[^@\s:;,<>()\[\]\\\"']+@[^@\s:;,<>()\[\]\\\"'/.]+(?:\.[^@\s:;,<>()\[\]\\\"'/.]+)+\Z")


def service_url(url, service, error=ValueError):
    """The url without a trailing slash, or raise error(one sentence naming the option) before any request.

    Refused: anything but http(s)://host[:port][/path], user:password@ (requests would send it as Basic auth in
    place of the token, and messages would print it), a query or fragment (every request, DELETE included, would
    go to that path), whitespace or control characters anywhere (a trailing newline included).
    The error carries option="url", so a door can name the option in its own terms.
    """
    try:
        return _checked_url(url, service, error)
    except error as exc:
        exc.option = "url"
        raise


def _checked_url(url, service, error):
    if not isinstance(url, str) or not url:
        raise error("url must be the http(s) address of %s (it is empty)." % service)
    scheme = _SCHEME.match(url)
    authority = re.split(r"[/?#]", url[scheme.end():], maxsplit=1)[0] if scheme else ""
    if "@" in authority:
        # The value is not quoted: it holds a password.
        raise error("url must not contain a user name or password (user:password@host); give the credentials in "
                    "their own options, the url is not shown.")
    if any(ord(char) <= 32 or ord(char) == 127 for char in url):
        raise error("url must not contain spaces or control characters (got %r)." % url)
    if not scheme or scheme.group(1).lower() not in ("http", "https"):
        raise error("url must be the http(s) address of %s, such as https://host (got %r)." % (service, url))
    if "?" in url or "#" in url:
        raise error("url must not contain a query (?) or fragment (#): every request would go to that address "
                    "(got %r)." % url)
    host = _HOST_PORT.match(authority)
    if not host or (host.group(1) and not 0 < int(host.group(1)) < 65536):
        raise error("url must be the http(s) address of %s with a valid host and port (got %r)." % (service, url))
    return url.rstrip("/")


def url_password(url):
    """The user:password@ part of a url, to be masked; None when there is none."""
    if not isinstance(url, str):
        return None
    scheme = _SCHEME.match(url)
    authority = re.split(r"[/?#]", url[scheme.end():] if scheme else url, maxsplit=1)[0]
    if "@" not in authority:
        return None
    return authority.rsplit("@", 1)[0] or None


def is_email(value):
    """True for a plain address such as bob@example.com; False for email:password cells and trailing newlines."""
    return isinstance(value, str) and bool(_EMAIL.match(value))
