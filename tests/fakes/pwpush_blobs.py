"""Active Storage as Password Pusher serves a file push's attachments (for pwpush_server.py).

Modelled on Password Pusher (config/application.rb: ``routes_prefix = "/pfb"``, ``urls_expire_in = 5.minutes``,
both since 1.50, so in every mode of the fake; app/views/pushes/_push.json.jbuilder: ``filename``,
``content_type``, ``url: rails_blob_url(file)``) and on Rails' Active Storage with the Disk service (the
default ``local`` storage):

* ``GET /pfb/blobs/redirect/:signed_id/*filename`` (ActiveStorage::Blobs::RedirectController): 302 to the
  storage service's URL, ``Cache-Control: max-age=300, private``; an unknown, expired or purged signed id
  is a 404. No authentication: the signed id is the capability.
* ``GET /pfb/disk/:encoded_key/*filename`` (ActiveStorage::DiskController, Rack::Files): 200 with
  Content-Length, the blob's content type (``application/octet-stream`` for types Rails serves as binary),
  ``Content-Disposition: inline|attachment; filename="..."; filename*=UTF-8''...``; an expired key is a 404
  with an empty body.
* The JSON's ``filename`` is ActiveStorage::Filename#sanitized: ``/``, ``\\`` and a few others become ``-``,
  so a real server never sends a name with a path separator (``..`` stays as it is).
* Signed ids and disk keys expire 5 minutes after the answer that gave them; an expired push has purged
  its files (Push#expire!), so their links answer 404 from then on.
"""

from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import quote

from flask import Response, redirect

URLS_EXPIRE_IN = dt.timedelta(minutes=5)
ROUTES_PREFIX = "/pfb"
# ActiveStorage::Filename#sanitized
_SANITIZED = str.maketrans({c: "-" for c in "\u202e%$|:;/<>?*\"\t\r\n\\"})
# Rails' defaults: content_types_to_serve_as_binary and content_types_allowed_inline
_SERVE_AS_BINARY = ("text/html", "image/svg+xml", "application/postscript", "application/x-shockwave-flash",
                    "text/xml", "application/xml", "application/xhtml+xml", "application/mathml+xml",
                    "text/cache-manifest")
_ALLOWED_INLINE = ("image/webp", "image/avif", "image/png", "image/gif", "image/jpeg", "image/tiff",
                   "image/bmp", "image/vnd.adobe.photoshop", "image/vnd.microsoft.icon", "application/pdf")


def sanitized(filename: str) -> str:
    return filename.strip().translate(_SANITIZED)


class BlobLinks:
    """The signed ids and disk keys the fake has handed out, each with its expiry."""

    def __init__(self, clock) -> None:
        self.now = clock
        self.signed: dict[str, tuple[object, dt.datetime]] = {}
        self.keys: dict[str, tuple[object, dt.datetime]] = {}

    def clear(self) -> None:
        self.signed.clear()
        self.keys.clear()

    def file_json(self, base_url: str, stored) -> dict:
        """One entry of a show answer's "files" (a fresh signed id each time, as blob.signed_id(expires_in:))."""
        signed_id = secrets.token_urlsafe(24) + "--" + secrets.token_hex(20)
        self.signed[signed_id] = (stored, self.now() + URLS_EXPIRE_IN)
        name = sanitized(stored.filename)
        return {"filename": name, "content_type": stored.content_type,
                "url": "%s%s/blobs/redirect/%s/%s" % (base_url, ROUTES_PREFIX, signed_id, quote(name))}

    def _live(self, table: dict, key: str, attached: callable):
        entry = table.get(key)
        if entry is None or self.now() >= entry[1] or not attached(entry[0]):
            return None
        return entry[0]

    def redirect_view(self, base_url: str, signed_id: str, attached) -> Response:
        stored = self._live(self.signed, signed_id, attached)
        if stored is None:
            return Response(b"", status=404, content_type="text/html")
        key = secrets.token_urlsafe(48) + "--" + secrets.token_hex(20)
        self.keys[key] = (stored, self.now() + URLS_EXPIRE_IN)
        response = redirect("%s%s/disk/%s/%s" % (base_url, ROUTES_PREFIX, key, quote(sanitized(stored.filename))),
                            302)
        response.headers["Cache-Control"] = "max-age=300, private"
        return response

    def disk_view(self, encoded_key: str, attached) -> Response:
        stored = self._live(self.keys, encoded_key, attached)
        if stored is None:
            return Response(b"", status=404, content_type="text/html")
        content_type = stored.content_type
        if content_type in _SERVE_AS_BINARY:
            content_type = "application/octet-stream"
        disposition = "inline" if stored.content_type in _ALLOWED_INLINE else "attachment"
        name = sanitized(stored.filename)
        ascii_name = name.encode("ascii", "replace").decode().replace('"', "%22")
        response = Response(stored.content, status=200, content_type=content_type)
        response.headers["Content-Disposition"] = '%s; filename="%s"; filename*=UTF-8\'\'%s' % (
            disposition, ascii_name, quote(name))
        response.headers["Accept-Ranges"] = "bytes"
        response.headers["Cache-Control"] = "max-age=3155695200, public"
        return response
