"""A local fake of the Push Security REST API v1: the stolen-credentials control.

Modelled on the Push Security REST API (v1) reference page (shared/seeds/pushsecurity-api-v1.txt):

  POST   /v1/controls/stolenCredentials   body: a JSON array of {"email", "password", "metadata"?}
                                          answer: 200 {"result": [the same credentials, passwords included]}
  DELETE /v1/controls/stolenCredentials   deletes every custom stolen credential: 200 "OK"

Auth is the ``x-api-key`` header; a "Read only" key may only make GET requests (so neither of
the two above), a "Full access" key may make any. Each key may make 10 requests a second with
a burst of 10 more (a token bucket); past that the answer is 429.

The page documents neither the error bodies nor headers. The API has the marks of an AWS API
Gateway REST API (the ``x-api-key`` header, "rate" and "burst" throttling, a custom authorizer
for the two key levels), so the errors are API Gateway's default gateway responses:
``{"message": "..."}`` with content type application/json and no Retry-After. The choices are
listed in tests/fakes/README.md ("## pushsecurity").

Passwords are never stored: the fake keeps a keyed 16-byte BLAKE2b digest of each, to count
distinct (email, password) pairs. The POST answer still echoes them, as the real one does.

Run it with ``tests/fakes/serve pushsecurity --port 0 --api-key KEY``; see ``main()``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import os
import secrets
import sys
import threading

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402  pylint: disable=wrong-import-position
import fake_cli  # noqa: E402  pylint: disable=wrong-import-position

ROUTE = "/v1/controls/stolenCredentials"
MAX_BATCH = 500  # the page: "resultArray of objects(Stolen Credential)[ 1 .. 500 ] items"
MAX_PAYLOAD = 10 * 1024 * 1024  # API Gateway's request payload quota

FULL_ACCESS, READ_ONLY = "full", "read-only"

# API Gateway's default gateway responses (a guess: the page shows no error body).
MSG_UNAUTHORIZED = "Unauthorized"  # 401: authorizer refused a missing or unknown key
MSG_EXPLICIT_DENY = "User is not authorized to access this resource with an explicit deny"  # 403
MSG_NO_ROUTE = "Missing Authentication Token"  # 403: no such resource/method (API Gateway has no 404)
MSG_THROTTLED = "Too Many Requests"  # 429
MSG_BAD_BODY = "Invalid request body"  # 400: the request model's validation failed
MSG_TOO_LARGE = "Request Too Long"  # 413
MSG_MEDIA_TYPE = "Unsupported Media Type"  # 415: a body that the page's "application/json required" excludes
FAULT_MESSAGES = {429: MSG_THROTTLED, 500: "Internal server error", 502: "Internal server error",
                  503: "Service Unavailable"}


def api_json(obj, status: int = 200, headers: dict | None = None) -> Response:
    """JSON the way a Node back end behind API Gateway sends it: compact, UTF-8, no escaping."""
    return Response(json.dumps(obj, ensure_ascii=False, separators=(",", ":")), status=status,
                    headers=headers, content_type="application/json")


def api_error(status: int, message: str, headers: dict | None = None) -> Response:
    return api_json({"message": message}, status, headers)


class BadBody(ValueError):
    """The body is not a valid list of stolen credentials (the reason is logged, never values)."""


def _reject_constant(name: str):
    raise BadBody("JSON constant %s" % name)  # NaN/Infinity: not JSON, JSON.parse refuses them


def parse_credentials(raw: bytes, max_batch: int) -> list[dict]:
    """The request model: an array of 1..max_batch objects with a non-empty string email and
    password and a metadata that is an object, null or absent. Other keys are ignored."""
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except BadBody:
        raise
    except ValueError as exc:  # also UnicodeDecodeError
        raise BadBody("not JSON") from exc
    if not isinstance(body, list):
        raise BadBody("not an array")
    if not body:
        raise BadBody("empty array")
    if len(body) > max_batch:
        raise BadBody("%d items (at most %d)" % (len(body), max_batch))
    for index, item in enumerate(body):
        if not isinstance(item, dict):
            raise BadBody("item %d is not an object" % index)
        email, password = item.get("email"), item.get("password")
        if not isinstance(email, str) or not email.strip():
            raise BadBody("item %d: email missing, empty or not a string" % index)
        if not isinstance(password, str) or not password:
            raise BadBody("item %d: password missing, empty or not a string" % index)
        metadata = item.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise BadBody("item %d: metadata is not an object or null" % index)
    return body


class PushSecurityFake:
    """The organisation's custom stolen credentials, without their passwords."""

    def __init__(self, keys: dict[str, str], rate: float, burst: int, max_batch: int) -> None:
        self.keys = keys  # api key -> FULL_ACCESS | READ_ONLY
        self.max_batch = max_batch
        self.bucket = common.TokenBucket(rate, burst)
        self._pepper = secrets.token_bytes(32)
        self.lock = threading.Lock()
        self.credentials: dict[tuple[str, bytes], None] = {}  # (email, password digest)
        self.emails: dict[str, int] = {}  # email -> stored credentials with it, first-seen order
        self.batches = 0

    def reset(self) -> None:
        with self.lock:
            self.credentials.clear()
            self.emails.clear()
            self.batches = 0
        self.bucket.reset()

    def digest(self, password: str) -> bytes:
        return hashlib.blake2b(password.encode("utf-8", "surrogatepass"), key=self._pepper,
                               digest_size=16).digest()

    # ----------------------------------------------------------------- the API

    def gate(self) -> Response | None:
        """Authorizer, then the usage plan's throttle, in API Gateway's order."""
        key = request.headers.get("x-api-key", "")
        access = self.keys.get(key) if key else None
        if access is None:
            return api_error(401, MSG_UNAUTHORIZED)
        if access == READ_ONLY:  # POST and DELETE are both writes
            return api_error(403, MSG_EXPLICIT_DENY)
        if self.bucket.take(key) is not None:
            return api_error(429, MSG_THROTTLED)
        return None

    def add(self, log) -> Response:
        try:
            items = parse_credentials(request.get_data(cache=False), self.max_batch)
        except BadBody as exc:
            log.info("rejected body: %s", exc)
            return api_error(400, MSG_BAD_BODY)
        result = []
        digests = []
        for item in items:
            metadata = item.get("metadata")
            result.append({"email": item["email"], "password": item["password"], "metadata": metadata})
            digests.append((item["email"], self.digest(item["password"])))
        with self.lock:
            for pair in digests:
                if pair not in self.credentials:  # the same email and password again: kept once
                    self.credentials[pair] = None
                    self.emails[pair[0]] = self.emails.get(pair[0], 0) + 1
            self.batches += 1
        return api_json({"result": result})

    def delete_all(self) -> Response:
        with self.lock:
            self.credentials.clear()
            self.emails.clear()
        # The page shows "OK" and no body schema: 200 with an empty body.
        return common.empty_response(200)

    # ----------------------------------------------------------------- test helpers

    def fake_listing(self) -> Response:
        with self.lock:
            return api_json({"count": len(self.credentials), "emails": list(self.emails),
                             "batches": self.batches})

    def fake_check(self) -> Response:
        """POST {"email": E, "password": P}: is this exact pair stored? (answers a boolean only)"""
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("email"), str) \
                or not isinstance(body.get("password"), str):
            return api_json({"error": "expected {\"email\": string, \"password\": string}"}, 400)
        wanted = self.digest(body["password"])
        with self.lock:
            stored = any(email == body["email"] and hmac.compare_digest(digest, wanted)
                         for email, digest in self.credentials)
        return api_json({"stored": stored})


def create_app(api_key: str, read_only_key: str | None = None, *, rate: float = 10, burst: int = 10,
               max_batch: int = MAX_BATCH) -> Flask:
    if not api_key:
        raise ValueError("an API key is needed")
    if read_only_key is not None and (not read_only_key or read_only_key == api_key):
        raise ValueError("the read-only key must be non-empty and differ from the API key")
    if max_batch < 1:
        raise ValueError("--max-batch must be at least 1")
    keys = {api_key: FULL_ACCESS}
    if read_only_key:
        keys[read_only_key] = READ_ONLY
    try:
        fake = PushSecurityFake(keys, rate, burst, max_batch)
    except ValueError as exc:
        raise ValueError("--rate must be >= 0 and --burst >= 1") from exc

    app = Flask("pushsecurity_fake")
    app.config.update(MAX_CONTENT_LENGTH=None)
    app.extensions["pushsecurity_fake"] = fake
    log = logging.getLogger("fake.pushsecurity")

    def stolen_credentials():
        if request.content_length is not None and request.content_length > MAX_PAYLOAD:
            return api_error(413, MSG_TOO_LARGE)
        denied = fake.gate()
        if denied is not None:
            return denied
        if request.method == "DELETE":
            return fake.delete_all()
        # The page: "Body application/json required". API Gateway takes a request without Content-Type for
        # application/json and answers any other type with its UNSUPPORTED_MEDIA_TYPE response (a guess).
        if request.mimetype not in ("", "application/json"):
            log.info("refused content type %s", request.mimetype[:60])
            return api_error(415, MSG_MEDIA_TYPE)
        return fake.add(log)

    app.add_url_rule(ROUTE, "stolen_credentials", stolen_credentials, methods=["POST", "DELETE"],
                     provide_automatic_options=False)
    app.add_url_rule("/_fake/stolen-credentials", "fake_listing", fake.fake_listing, methods=["GET"])
    app.add_url_rule("/_fake/stolen-credentials/check", "fake_check", fake.fake_check, methods=["POST"])

    def fault_response(status: int, headers: dict | None) -> Response:
        return api_error(status, FAULT_MESSAGES.get(status, "Internal server error"), headers)

    common.install_harness(app, name="pushsecurity", reset=fake.reset, rate_limiter=None,
                           fault_response=fault_response)

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        if exc.code in (404, 405):
            if request.path.startswith(common.FAKE_PREFIX):
                return api_json({"error": "no such fake control"}, exc.code)
            return api_error(403, MSG_NO_ROUTE)  # API Gateway: unknown resource or method
        return api_error(exc.code or 500, exc.name)

    @app.errorhandler(Exception)
    def _crash(exc):
        common.log_exception_safely(log, exc)
        return api_error(500, "Internal server error")

    return app


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api-key", required=True, help="a Full access key")
    parser.add_argument("--read-only-key", help="a Read only key (GET only: 403 on POST and DELETE)")
    parser.add_argument("--rate", type=float, default=10, help="requests per second per key (10); 0 disables")
    parser.add_argument("--burst", type=int, default=10, help="token bucket capacity per key (10)")
    parser.add_argument("--max-batch", type=int, default=MAX_BATCH, help="most credentials in one POST (500)")


def app_from_args(args: argparse.Namespace) -> Flask:
    return create_app(args.api_key, args.read_only_key, rate=args.rate, burst=args.burst, max_batch=args.max_batch)


def main(argv: list[str] | None = None) -> int:
    return fake_cli.serve_main("pushsecurity", "Fake Push Security REST API v1 (stolen credentials).",
                               add_options, app_from_args, argv)


if __name__ == "__main__":
    sys.exit(main())
