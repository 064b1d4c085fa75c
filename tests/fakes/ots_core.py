"""The ots fake's state and what every route shares (for ots_server.py): authentication, params, links, the
rate limit and passphrase lockout, receipts as the API shows them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
import time
from typing import Callable

from flask import Response, request

import common
from ots_model import (ALIAS_FIELDS, Account, BadJsonBody, LOCALES, MSG_RATE_LIMITED, NUMERIC_FIELDS,
                       PASSPHRASE_LOCKOUT, PASSPHRASE_MAX_ATTEMPTS, PASSPHRASE_WINDOW, PLANS, RATE_WINDOW, Record,
                       Unexpected, error_response, not_authorized, ruby_to_s)


class OtsCore:  # pylint: disable=too-many-instance-attributes
    """State and what the request handlers (ots_api.OtsFake) share. Every handler runs under one lock: requests are
    short."""

    def __init__(self, accounts: list[Account], *, plan: str = "selfhosted", rate_limit: int = 1000,
                 secret_max_bytes: int = 10000, passphrase_min: int = 4, passphrase_max: int = 128,
                 legacy_strings: bool = False, alias_fields: bool = True, short_keys: bool = False,
                 custom_domains: tuple[str, ...] = (), site_host: str | None = None, ssl: bool | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        if plan not in PLANS:
            raise ValueError("plan must be one of %s" % (PLANS,))
        self.accounts = {a.email.strip().lower(): a for a in accounts}
        self.plan = plan
        self.rate_limit = rate_limit
        self.secret_max_bytes = secret_max_bytes
        self.passphrase_min = passphrase_min
        self.passphrase_max = passphrase_max
        self.legacy_strings = legacy_strings
        self.alias_fields = alias_fields
        self.key_bits = 160 if short_keys else 320
        self.shortkey_len = 6 if short_keys else 8
        # Custom domains belong to the first account (the --username one).
        self.custom_domains = {d.strip().lower(): (accounts[0].email if accounts else None) for d in custom_domains}
        # site.host and site.ssl of the real server's config (HOST, SSL): every link is built from them.
        self.site_host = site_host
        self.ssl = ssl
        self.bound: tuple[str, str] | None = None  # (scheme, host:port) it listens on: bind_address()
        self.now = clock
        self.lock = threading.RLock()
        self.pepper = secrets.token_bytes(32)
        self.by_metadata: dict[str, Record] = {}
        self.by_secret: dict[str, Record] = {}
        self.counters = common.FirstHitWindow()
        self.seq = 0

    def reset(self) -> None:
        with self.lock:
            self.by_metadata.clear()
            self.by_secret.clear()
            self.counters.clear()
            self.seq = 0

    # ----------------------------------------------------------------- request helpers

    def authorize(self, allow_anonymous: bool) -> Account | None | Response:
        """ControllerBase#authorized: Basic auth or (where allowed) no Authorization at all.

        A header that is present but not Basic, not two parts, with an empty part or wrong
        credentials is refused on every route, also those open to anonymous callers."""
        header = request.environ.get("HTTP_AUTHORIZATION")
        if header is None:
            return None if allow_anonymous else not_authorized()
        parts = header.split(" ", 1)
        if parts[0].lower() != "basic" or len(parts) < 2:
            return not_authorized()
        try:
            decoded = base64.b64decode(parts[1].strip() + "===", validate=False).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return not_authorized()
        credentials = decoded.split(":", 1)
        if len(credentials) != 2 or not credentials[0] or not credentials[1]:
            return not_authorized()
        account = self.accounts.get(credentials[0].strip().lower())
        expected = account.token if account else "no-such-account-" + secrets.token_hex(8)
        if not hmac.compare_digest(expected.encode(), credentials[1].encode()) or account is None:
            return not_authorized()
        return account

    def params(self) -> dict:
        """Rack's req.params: query string merged with the body (form or JSON), body winning.

        Repeated plain keys keep the last value; ``name[]`` keys collect a list."""
        def collect(multidict) -> dict:
            out: dict = {}
            for key in multidict.keys():
                values = multidict.getlist(key)
                if key.endswith("[]"):
                    out[key[:-2]] = values
                else:
                    out[key] = values[-1]
            return out

        merged = collect(request.args)
        if request.mimetype == "application/json":
            raw = request.get_data(cache=True)
            if raw.strip():
                try:
                    data = json.loads(raw)
                except ValueError as exc:
                    raise BadJsonBody() from exc
                if isinstance(data, dict):
                    merged.update(data)
        else:
            merged.update(collect(request.form))
        return merged

    def bind_address(self, scheme: str, host: str, port: int) -> None:
        """common.run's on_bound: without --site-host/--ssl, the address it listens on is its configuration
        (it cannot be given before port 0 is bound); a wildcard address stands for the loopback one."""
        host = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)
        self.bound = (scheme, "[%s]:%d" % (host, port) if ":" in host and not host.startswith("[")
                      else "%s:%d" % (host, port))

    def base(self) -> tuple[str, str]:
        """Scheme and host of every link: the configured site.host and site.ssl (receipt_hsh,
        UriHelpers#base_scheme), never the request's Host or X-Forwarded-* headers. Without
        --site-host the fake's own listening address stands in (bind_address)."""
        environ = request.environ
        served, listening = self.bound or (environ.get("wsgi.url_scheme", "http"), "%s:%s" % (
            environ.get("SERVER_NAME", "localhost"), environ.get("SERVER_PORT", "80")))
        scheme = served if self.ssl is None else ("https" if self.ssl else "http")
        return scheme, self.site_host or listening

    def locale(self, params: dict) -> str:
        wanted = ruby_to_s(params.get("locale"))
        if wanted in LOCALES:
            return wanted
        for part in request.headers.get("Accept-Language", "").split(","):
            tag = part.split(";")[0].strip().replace("-", "_")
            for candidate in (tag, tag.split("_")[0]):
                if candidate in LOCALES:
                    return candidate
        return "en"

    def rate_limited(self, event: str, account: Account | None) -> Response | None:
        """check_rate_limit!: per IP and event, 20-minute windows from the first hit; every
        request counts, refused ones too. Accounts on a paid plan and on self-hosted servers are
        exempt (controllers/base.rb: `return if cust && !cust.anonymous? && cust.planid.to_s !=
        'anonymous'`); anonymous callers and, on the hosted service, free accounts are counted
        (shared/notes/ots-server-facts.md: "for anonymous and free users")."""
        if account is not None and self.plan not in ("anonymous", "free"):
            return None
        if self.rate_limit <= 0:
            return None
        ip = common.client_ip(request.environ)
        if self.counters.hit("rate:%s:%s" % (event, ip), self.now(), RATE_WINDOW) > self.rate_limit:
            return error_response(MSG_RATE_LIMITED)
        return None

    def digest(self, passphrase: str) -> bytes:
        return hmac.new(self.pepper, passphrase.encode("utf-8"), hashlib.sha256).digest()

    def passphrase_ok(self, record: Record, passphrase: str) -> bool:
        if not record.has_passphrase:
            return True
        return hmac.compare_digest(record.passphrase_digest, self.digest(passphrase))

    def check_lockout(self, record: Record, now: float) -> None:
        if record.has_passphrase and record.locked_until > now:
            raise Unexpected("Too many incorrect passphrase attempts")  # LimitExceeded, rescued generically

    @staticmethod
    def record_failure(record: Record, now: float) -> None:
        if record.failed_attempts == 0 or now >= record.attempts_since + PASSPHRASE_WINDOW:
            record.failed_attempts, record.attempts_since = 0, now
        record.failed_attempts += 1
        if record.failed_attempts >= PASSPHRASE_MAX_ATTEMPTS:
            record.locked_until = now + PASSPHRASE_LOCKOUT
            record.failed_attempts = 0

    @staticmethod
    def clear_failures(record: Record) -> None:
        record.failed_attempts, record.locked_until = 0, 0.0

    def find_receipt(self, key: str, now: float) -> Record | None:
        record = self.by_metadata.get(key)
        if record is not None and not record.receipt_alive(now):
            self._forget(record)
            return None
        return record

    def _forget(self, record: Record) -> None:
        self.by_metadata.pop(record.metadata_key, None)
        self.by_secret.pop(record.secret_key, None)

    # ----------------------------------------------------------------- serializer

    def receipt_hsh(self, record: Record, caller: Account | None, *, secret_ttl: int | None = None,
                    passphrase_required: bool | None = None, value: str | None = None) -> dict:
        """Class method receipt_hsh: v1 names, fields depending on state, then the aliases."""
        now = self.now()
        scheme, host = self.base()
        metadata_ttl = max(0, int((record.created + 2 * record.ttl - now) * 1000 + 500) // 1000)
        out = {
            "custid": caller.email if caller else "anon",  # the caller's email, not the owner's
            "metadata_key": record.metadata_key,
            "secret_key": record.receipt_secret_key,
            "ttl": record.ttl,
            "metadata_ttl": metadata_ttl,
            "secret_ttl": secret_ttl,
            # /receipt/ since v0.24 (UriHelpers#receipt_uri; /private/ is the deprecated alias)
            "metadata_url": "%s://%s/receipt/%s" % (scheme, record.share_domain or host, record.metadata_key),
            "state": record.state,
            "updated": int(record.updated),
            "created": int(record.created),
            "received": int(record.received or 0),
            "recipient": list(record.recipients),
            "share_domain": record.share_domain or "",
        }
        if out["state"] == "received":
            del out["secret_ttl"], out["secret_key"]
        else:
            del out["received"]
        if value:
            out["value"] = value
        if passphrase_required is not None:
            out["passphrase_required"] = passphrase_required
        if self.legacy_strings:
            for name in NUMERIC_FIELDS:
                if out.get(name) is not None:
                    out[name] = str(out[name])
        if self.alias_fields:
            for new, old in ALIAS_FIELDS:
                if old in out:
                    out[new] = out[old]
        else:
            del out["metadata_url"]  # v0.23 had neither the aliases nor metadata_url
        return out

    def secret_ttl_left(self, record: Record, now: float) -> int:
        return max(0, int((record.created + record.ttl - now) * 1000 + 500) // 1000)

    # ----------------------------------------------------------------- endpoints
