"""Ruby and Rails semantics the Password Pusher fake copies: Ruby's blank?/to_s/to_i, ActionController's
params (permit, Rack's nested keys), Rails' time format and error pages (for pwpush_server.py)."""

from __future__ import annotations

import datetime as dt
import html
import math
import re

from flask import Response, request
from werkzeug.datastructures import FileStorage
from werkzeug.routing import BaseConverter

import common

TRUTHY = ("on", "yes", "checked", "true", "1")  # SetPushAttributes' positive checkbox values
MSG_SIGN_IN = "You need to sign in or sign up before continuing."


def blank(value) -> bool:
    """Ruby's blank?: nil, false, whitespace-only strings and empty collections."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return not value
    return False


def present(value) -> bool:
    return not blank(value)


def ruby_str(value) -> str | None:
    """A permitted scalar as a Rails string attribute stores it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, FileStorage):
        return value.filename or ""
    return str(value)


def ruby_int(value) -> int | None:
    """ActiveModel integer casting: '12abc' -> 12, 'abc' -> 0, '' -> nil, 7.9 -> 7."""
    if value is None or isinstance(value, FileStorage):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    text = str(value)
    if not text.strip():
        return None
    match = re.match(r"\s*([+-]?\d+(?:_\d+)*)", text)
    return int(match.group(1).replace("_", "")) if match else 0


def ruby_integer(text: str) -> int:
    """Kernel#Integer for the page parameter: strict, but accepts 0x/0b/0o/0 prefixes and _."""
    text = text.strip()
    try:
        return int(text, 0)
    except ValueError:
        if re.fullmatch(r"[+-]?0[0-7_]+", text):
            return int(text.replace("_", ""), 8)
        raise


def truthy(value) -> bool:
    return (ruby_str(value) or "").lower() in TRUTHY


def is_permitted_scalar(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, FileStorage))


def permit(raw: dict, scalars: tuple[str, ...], arrays: tuple[str, ...] = ()) -> dict:
    """ActionController::Parameters#permit: unlisted keys and non-scalar values are dropped."""
    out = {}
    for key, value in raw.items():
        if key in scalars and is_permitted_scalar(value):
            out[key] = value
        elif key in arrays and isinstance(value, list) and all(is_permitted_scalar(v) for v in value):
            out[key] = value
    return out


class ParamsError(ValueError):
    """Unparseable or conflicting request parameters: Rails answers 400 Bad Request."""


def add_nested(target: dict, key: str, value) -> None:
    """Rack's nested parameter parsing: 'push[files][]' -> {'push': {'files': [...]}}."""
    match = re.match(r"^([^\[]*)((?:\[[^\]]*\])*)", key)
    parts = [match.group(1)] + re.findall(r"\[([^\]]*)\]", match.group(2))
    if not parts[0]:
        return
    node = target
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if index + 1 < len(parts) and parts[index + 1] == "" and index + 2 == len(parts):
            items = node.setdefault(part, [])
            if not isinstance(items, list):
                raise ParamsError(key)
            items.append(value)
            return
        if part == "":
            raise ParamsError(key)  # 'a[][b]' style arrays of hashes: not needed by any client
        if last:
            node[part] = value
            return
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ParamsError(key)
        node = child


def rails_time(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def valid_url(text: str) -> bool:
    """Push#valid_url?: Addressable parses leniently; only the scheme matters."""
    match = re.match(r"^([^:/?#]+):", text)
    if not match:
        return False
    scheme = match.group(1)
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme)) and scheme.lower() in ("http", "https")


def ruby_split(text: str, separator: str) -> list[str]:
    """Ruby's String#split: trailing empty fields are dropped."""
    parts = text.split(separator)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def not_found() -> Response:
    return common.json_response({"error": "not-found"}, 404)


def devise_unauthorized() -> Response:
    """Devise's authenticate_user! failure for a JSON request."""
    return common.json_response({"error": MSG_SIGN_IN}, 401)


def wants_json() -> bool:
    """Rails' format for error pages: the route's default, the .json extension, or an
    Accept header that is not browser-like."""
    if request.url_rule is not None and request.url_rule.endpoint.startswith(("v1_", "v2_")):
        return True
    if request.path.endswith(".json"):
        return True
    accept = request.headers.get("Accept", "")
    if not accept or re.search(r",\s*\*/\*|\*/\*\s*,", accept):
        return False
    return accept.split(",")[0].split(";")[0].strip() == "application/json"


def rails_error(status: int) -> Response:
    """ActionDispatch::PublicExceptions: JSON for JSON requests, the static page otherwise."""
    reason = {400: "Bad Request", 404: "Not Found", 422: "Unprocessable Content", 500: "Internal Server Error"}
    if wants_json():
        return common.json_response({"status": status, "error": reason.get(status, "Error")}, status)
    text = {404: "The page you were looking for doesn't exist.",
            400: "The server cannot process the request due to a client error.",
            500: "We're sorry, but something went wrong."}.get(status, "Error")
    return html_page(text, "<h1>%s</h1>" % text, status)


def html_page(title: str, body: str, status: int = 200) -> Response:
    return Response("<!DOCTYPE html><html><head><title>%s</title></head><body>%s</body></html>\n"
                    % (html.escape(title), body), status=status, content_type="text/html; charset=utf-8")


class NormalizePath:  # pylint: disable=too-few-public-methods
    """Rails ignores a trailing slash and repeated slashes when routing."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "/")
        normalized = re.sub(r"/{2,}", "/", path).rstrip("/") or "/"
        environ["PATH_INFO"] = normalized
        return self.app(environ, start_response)


class TokenConverter(BaseConverter):  # pylint: disable=too-few-public-methods
    """A Rails path segment: anything but '/' and '.' (the dot starts the format)."""
    regex = r"[^/.]+"
