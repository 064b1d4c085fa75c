"""A local fake of the onetimesecret (OTS) API v1, for tests and the demo.

Modelled on the onetimesecret source (apps/api/v1: controllers/base.rb, controllers/index.rb,
controllers/class_methods.rb receipt_hsh, logic/secrets/*, the passphrase rate limiter) and
the facts collected in tests/fakes/README.md (section ots). It reproduces the awkward parts
on purpose: every error is HTTP 404 with the intended status in X-OTS-Intended-Status, a
present-but-wrong Authorization header is refused even where anonymous use is allowed, out
of range ttls are clamped without a word, a wrong passphrase looks exactly like an unknown
secret, receipt fields come and go with the state (secret_key, secret_ttl, received,
passphrase_required), the recent list drops secret_key but keeps its alias
secret_identifier, and a burn of an unknown receipt names the receipt key as
"secret_key". A fake kinder than the real server would hide client bugs.

Run it with ``tests/fakes/serve ots --port 0 --username U --api-token T``; see ``main()``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import string
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402  pylint: disable=wrong-import-position
import fake_cli  # noqa: E402  pylint: disable=wrong-import-position
import ots_edge  # noqa: E402  pylint: disable=wrong-import-position

API = "/api/v1"
DAY = 86400
PLANS = ("anonymous", "free", "paid", "selfhosted")
TTL_DEFAULT = 7 * DAY
TTL_MIN = 60
TTL_MAX_ANONYMOUS = 7 * DAY  # configured_anonymous_max_ttl: every anonymous caller, whatever the plan
TTL_MAX_BY_PLAN = {"anonymous": 7 * DAY, "free": 14 * DAY, "paid": 30 * DAY, "selfhosted": 30 * DAY}
GENERATE_DEFAULT_LENGTH, GENERATE_MAX_LENGTH = 12, 128
GENERATED_VALUE_DISPLAY_TTL = 60  # site.secret_options.generated_value_display_ttl
KEY_MIN_LENGTH = 20  # V1_MIN_IDENTIFIER_LENGTH
RATE_WINDOW = 1200  # V1_RATE_LIMIT_WINDOW: 20 minutes, fixed from the first hit (INCR + EXPIRE)
PASSPHRASE_MAX_ATTEMPTS, PASSPHRASE_WINDOW, PASSPHRASE_LOCKOUT = 20, 600, 1800  # global tier
RECENT_WINDOW = 30 * DAY  # ShowReceiptList: receipts created in the last 30 days
MAX_EMAIL_RECIPIENTS = 1  # deliver_by_email is called with recipient.first

MSG_NOT_AUTHORIZED = "Not authorized"
MSG_UNKNOWN_SECRET = "Unknown secret"
MSG_UNEXPECTED = "An unexpected error occurred :["
MSG_WRONG_PASSPHRASE_BURN = "Double check that passphrase"  # web.COMMON.error_passphrase (en)
MSG_NOTHING_TO_SHARE = "You did not provide anything to share"
MSG_RATE_LIMITED = "Rate limit exceeded. Please try again later."
MSG_ACCOUNT_FOR_EMAIL = "An account is required to send emails."

STATES = ("new", "received", "burned", "expired", "orphaned")
# receipt_hsh emits these v0.24 names as copies of the v1 names (#2617), after type coercion.
ALIAS_FIELDS = (("identifier", "metadata_key"), ("secret_identifier", "secret_key"),
                ("has_passphrase", "passphrase_required"), ("recipients", "recipient"),
                ("receipt_ttl", "metadata_ttl"), ("receipt_url", "metadata_url"), ("secret_value", "value"))
NUMERIC_FIELDS = ("created", "updated", "received", "ttl", "metadata_ttl", "secret_ttl")

# Onetime::Utils.strand: upper, lower, digits and the extended symbols, ambiguous ones removed,
# at least one character of each set (so lengths 1-3 still give 4 characters, as the real one does).
AMBIGUOUS = set("ilo1IO0")
SYMBOLS = "!@#$%^&*()_-+=[]{}|:;\"'<>,.?/~`"
SET_NAMES = ("uppercase", "lowercase", "numbers", "symbols")
RAW_SETS = (string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS)
# VALID_CHARS_SAFE: the fallback when no set is left (lowercase, uppercase, digits, BASIC_SYMBOLS).
VALID_CHARS_SAFE = "".join(c for c in string.ascii_lowercase + string.ascii_uppercase + string.digits + "*$!?()@#%^"
                           if c not in AMBIGUOUS)

LOCALES = ("ar", "bg", "ca_ES", "cs", "da_DK", "de", "de_AT", "el_GR", "en", "eo", "es", "fr_CA", "fr_FR", "he",
           "hu", "it_IT", "ja", "ko", "mi_NZ", "nl", "pl", "pt_BR", "pt_PT", "ru", "sl_SI", "sv_SE", "tr", "uk",
           "vi", "zh")
# A few public suffixes with two labels, enough for obscure_email's PublicSuffix split.
TWO_LABEL_SUFFIXES = ("co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp",
                      "com.br", "co.za", "com.mx", "co.in")
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.[A-Za-z]{2,}$")


class FormError(Exception):
    """OT::FormError: answered 404 {"message": ...} with X-OTS-Intended-Status: 400."""


class Unexpected(Exception):
    """Anything the v1 controllers rescue as StandardError: 404 "An unexpected error occurred :["."""


class BadJsonBody(Exception):
    """A JSON body that does not parse: Rack::JSONBodyParser answers before the app sees it."""


# --------------------------------------------------------------------------- Ruby semantics


def ruby_to_i(value) -> int:
    """String#to_i: leading blanks, a sign, digits (with single underscores); anything else 0."""
    if isinstance(value, bool):
        return 0  # true.to_i does not exist; Rack params are strings, JSON booleans end up here
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else 0
    match = re.match(r"\s*([+-]?\d+(?:_\d+)*)", str(value))
    return int(match.group(1).replace("_", "")) if match else 0


def ruby_to_s(value) -> str:
    """Object#to_s for a parameter: nil -> '', true -> 'true', 12 -> '12'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)  # never a sensible input; keeps the request from crashing
    return str(value)


def obscure_email(address: str) -> str:
    """OT::Utils.obscure_email: 'tom@myspace.com' -> 'to***@m***.com'."""
    local, domain = address.rpartition("@")[::2]
    if not local:
        return address

    def head(text: str, keep: int) -> str:
        return text if len(text) <= keep else text[:keep] + "***"

    labels = domain.split(".")
    suffix_len = 2 if len(labels) > 2 and ".".join(labels[-2:]).lower() in TWO_LABEL_SUFFIXES else 1
    host, tld = ".".join(labels[:-suffix_len]), ".".join(labels[-suffix_len:])
    return "%s@%s" % (head(local, 2), "%s.%s" % (head(host, 1), tld) if host else tld)


def generate_value(length: int, options: dict | None = None) -> str:
    """Onetime::Utils.strand(length, character_sets) (lib/onetime/utils.rb)."""
    if length <= 0:
        raise Unexpected("Length must be positive")  # strand raises ArgumentError
    opts = {"uppercase": True, "lowercase": True, "numbers": True, "symbols": True, "exclude_ambiguous": True}
    opts.update({str(key): value for key, value in (options or {}).items()})
    if "unambiguous" in opts:
        opts["exclude_ambiguous"] = ruby_truthy(opts["exclude_ambiguous"]) or opts.pop("unambiguous")

    def usable(chars: str) -> str:
        return "".join(c for c in chars if c not in AMBIGUOUS) if ruby_truthy(opts["exclude_ambiguous"]) else chars

    chosen = [chars for name, chars in zip(SET_NAMES, RAW_SETS) if ruby_truthy(opts[name])]
    pool = usable("".join(chosen)) or VALID_CHARS_SAFE
    # Only literal true counts towards "several sets asked for" (multiple_char_sets_requested?).
    if [opts[name] for name in SET_NAMES].count(True) <= 1:
        return "".join(secrets.choice(pool) for _index in range(length))
    chars = [secrets.choice(usable(chars)) for chars in chosen]
    chars += [secrets.choice(pool) for _index in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def ruby_truthy(value) -> bool:
    return value is not None and value is not False


def new_key(bits: int) -> str:
    """A base-36 identifier: 320 random bits give ~62 characters, 160 bits ~31 (old servers)."""
    number = secrets.randbits(bits)
    digits = string.digits + string.ascii_lowercase
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


# --------------------------------------------------------------------------- responses


def ots_json(obj, status: int = 200, headers: dict | None = None) -> Response:
    """Ruby's to_json: compact UTF-8, and unlike Rails no escaping of <, > and &."""
    return Response(json.dumps(obj, ensure_ascii=False, separators=(",", ":")), status=status,
                    headers=headers, content_type="application/json; charset=utf-8")


def not_found_response(message: str, extra: dict | None = None) -> Response:
    """not_found_response: the extra fields first, then message; no intended-status header."""
    body = dict(extra or {})
    body["message"] = message
    return ots_json(body, 404)


def error_response(message: str) -> Response:
    return ots_json({"message": message}, 404, {"X-OTS-Intended-Status": "400"})


def not_authorized() -> Response:
    return ots_json({"message": MSG_NOT_AUTHORIZED}, 404, {"X-OTS-Intended-Status": "401"})


def route_not_found() -> Response:
    """Otto's answer for a path or method no route knows."""
    return ots_json({"error": "Not Found"}, 404)


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Account:
    email: str
    token: str


@dataclass
class Record:  # pylint: disable=too-many-instance-attributes
    """A receipt (metadata) and its secret. The secret's plaintext lives only in ``value``;
    the passphrase is kept as an HMAC digest, never in clear."""
    metadata_key: str
    secret_key: str
    kind: str  # "conceal" or "generate"
    value: str | None
    passphrase_digest: bytes | None
    ttl: int
    created: float
    owner: str | None  # account email
    recipients: list
    share_domain: str | None
    seq: int
    updated: float = 0.0
    received: float | None = None
    state: str = "new"
    secret_alive: bool = True  # False once received, burned or orphaned
    receipt_secret_key: str = ""  # what the receipt still says; "" after burn/expiry/orphaning
    value_display_claimed: bool = False
    failed_attempts: int = 0
    attempts_since: float = 0.0
    locked_until: float = 0.0

    @property
    def has_passphrase(self) -> bool:
        return self.passphrase_digest is not None

    def secret_expired(self, now: float) -> bool:
        return now >= self.created + self.ttl

    def secret_viewable(self, now: float) -> bool:
        return self.secret_alive and not self.secret_expired(now)

    def receipt_alive(self, now: float) -> bool:
        return now < self.created + 2 * self.ttl  # the receipt lives twice as long as the secret


# --------------------------------------------------------------------------- the fake


class OtsFake:  # pylint: disable=too-many-instance-attributes,too-many-public-methods
    """State and request handlers. Every handler runs under one lock: requests are short."""

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

    def status(self, allow_anonymous: bool) -> Response:
        caller = self.authorize(allow_anonymous)
        if isinstance(caller, Response):
            return caller
        return ots_json({"status": "nominal", "locale": self.locale(self.params())})

    def create(self, kind: str) -> Response:
        """POST /share, /create (ConcealSecret) and /generate (GenerateSecret)."""
        caller = self.authorize(True)
        if isinstance(caller, Response):
            return caller
        limited = self.rate_limited("create_secret", caller)
        if limited:
            return limited
        params = self.params()
        # process_params, in the real order: ttl, secret, passphrase, recipient, share_domain
        ttl = self._ttl(params, caller)
        if kind == "generate":
            raw_length = params.get("length")
            length = GENERATE_DEFAULT_LENGTH if raw_length is None else ruby_to_i(raw_length)
            if length > GENERATE_MAX_LENGTH:
                raise FormError("Generated password length must be no more than %d characters"
                                % GENERATE_MAX_LENGTH)
            value = generate_value(length, self._character_sets(params.get("character_sets")))
        else:
            raw_secret = params.get("secret")
            if isinstance(raw_secret, (list, dict)):
                raise Unexpected("secret is not a string")
            value = ruby_to_s(raw_secret)
        passphrase = ruby_to_s(params.get("passphrase"))
        recipients = self._recipients(params.get("recipient"))
        share_domain = self._share_domain(params.get("share_domain"))

        # raise_concerns: size, recipient, share domain, passphrase, then (share) emptiness
        if len(value.encode("utf-8")) > self.secret_max_bytes:
            raise FormError("Secret value exceeds the maximum size of %d bytes" % self.secret_max_bytes)
        if recipients:
            if caller is None:
                raise FormError(MSG_ACCOUNT_FOR_EMAIL)
            for address in recipients:
                if not EMAIL_RE.match(address):
                    raise FormError("Undeliverable email address: %s" % address)
        self._check_share_domain(share_domain, caller)
        if passphrase:
            if self.passphrase_min and len(passphrase) < self.passphrase_min:
                raise FormError("Passphrase must be at least %d characters long" % self.passphrase_min)
            if self.passphrase_max and len(passphrase) > self.passphrase_max:
                raise FormError("Passphrase must be no more than %d characters long" % self.passphrase_max)
        if kind != "generate" and not value:
            raise FormError(MSG_NOTHING_TO_SHARE)

        now = self.now()
        self.seq += 1
        record = Record(
            metadata_key=new_key(self.key_bits), secret_key=new_key(self.key_bits), kind=kind, value=value,
            passphrase_digest=self.digest(passphrase) if passphrase else None, ttl=ttl, created=now, updated=now,
            owner=caller.email if caller else None,
            recipients=[obscure_email(r) for r in recipients[:MAX_EMAIL_RECIPIENTS]],
            share_domain=share_domain, seq=self.seq)
        record.receipt_secret_key = record.secret_key
        self.by_metadata[record.metadata_key] = record
        self.by_secret[record.secret_key] = record
        return ots_json(self.receipt_hsh(record, caller, secret_ttl=ttl, passphrase_required=record.has_passphrase,
                                         value=value if kind == "generate" else None))

    @staticmethod
    def _character_sets(raw) -> dict | None:
        """payload['character_sets'] as GenerateSecret hands it to strand: a JSON object as it is;
        a form's character_sets[NAME]=VALUE pairs as a Hash of strings (all truthy in Ruby, so a
        form cannot turn a set off); anything else is no Hash, and strand uses its defaults."""
        if isinstance(raw, dict):
            return raw
        nested = {key[len("character_sets["):-1]: value for key, value in request.form.items()
                  if key.startswith("character_sets[") and key.endswith("]")}
        return nested or None

    def _ttl(self, params: dict, caller: Account | None) -> int:
        """process_ttl: default 7 days, then silently clamped to [60 s, the caller's maximum]."""
        raw = params.get("ttl")
        ttl = TTL_DEFAULT if raw is None else ruby_to_i(raw)
        ceiling = TTL_MAX_ANONYMOUS if caller is None else TTL_MAX_BY_PLAN[self.plan]
        return min(max(ttl, TTL_MIN), ceiling)

    @staticmethod
    def _recipients(raw) -> list:
        """process_recipient: a list, blanks dropped, duplicates removed (order kept)."""
        values = raw if isinstance(raw, list) else [raw]
        out: list = []
        for value in values:
            text = ruby_to_s(value).strip()
            if text and text not in out:
                out.append(text)
        return out

    def _share_domain(self, raw) -> str | None:
        """process_share_domain: blank, malformed or the site's own host mean no share domain."""
        domain = ruby_to_s(raw).strip().lower()
        if not domain or not DOMAIN_RE.match(domain):
            return None
        if domain == self.base()[1].split(":")[0].lower():
            return None
        return domain

    def _check_share_domain(self, domain: str | None, caller: Account | None) -> None:
        if domain is None:
            return
        if caller is None:
            raise FormError("You do not have permission to use domain: %s" % domain)
        if domain not in self.custom_domains:
            raise FormError("Unknown domain: %s" % domain)
        if self.custom_domains[domain] != caller.email:
            raise FormError("You do not have permission to use domain: %s" % domain)

    def show_secret(self, key: str) -> Response:
        """POST /secret/:key: reveal once. A wrong passphrase answers like an unknown secret."""
        caller = self.authorize(True)
        if isinstance(caller, Response):
            return caller
        if len(key) < KEY_MIN_LENGTH:
            return not_found_response("Not Found")
        limited = self.rate_limited("show_secret", caller)
        if limited:
            return limited
        params = self.params()
        now = self.now()
        record = self.by_secret.get(key)
        if record is None or not self.find_receipt(record.metadata_key, now) or not record.secret_viewable(now):
            return not_found_response(MSG_UNKNOWN_SECRET, {"secret_key": key})
        self.check_lockout(record, now)
        passphrase = ruby_to_s(params.get("passphrase"))
        correct = self.passphrase_ok(record, passphrase)
        if record.has_passphrase and passphrase:  # an empty passphrase is not counted as an attempt
            if correct:
                self.clear_failures(record)
            else:
                self.record_failure(record, now)
        if not correct:
            return not_found_response(MSG_UNKNOWN_SECRET, {"secret_key": key})
        value = record.value
        record.value = None
        record.secret_alive = False
        record.state = "received"
        record.received = record.updated = now
        scheme, host = self.base()
        return ots_json({"value": value, "secret_key": key,
                         "share_domain": "%s://%s" % (scheme, record.share_domain or host)})

    def show_receipt(self, key: str) -> Response:
        """GET/POST /private/:key: the receipt; notices expiry; shows a generated value once."""
        caller = self.authorize(True)
        if isinstance(caller, Response):
            return caller
        if len(key) < KEY_MIN_LENGTH:
            return not_found_response("Not Found")
        now = self.now()
        record = self.find_receipt(key, now)
        if record is None:
            return not_found_response(MSG_UNKNOWN_SECRET, {"secret_key": key})
        value = None
        if not record.secret_viewable(now):
            if record.state not in ("burned", "received"):
                record.state = "expired" if record.secret_expired(now) else "orphaned"
                record.receipt_secret_key = ""
                record.secret_alive = False
                record.value = None
                record.updated = now
            return ots_json(self.receipt_hsh(record, caller))  # secret_ttl null, no passphrase_required
        if (record.kind == "generate" and not record.has_passphrase and record.state == "new"
                and now - record.created < GENERATED_VALUE_DISPLAY_TTL and not record.value_display_claimed):
            record.value_display_claimed = True
            value = record.value
        return ots_json(self.receipt_hsh(record, caller, secret_ttl=self.secret_ttl_left(record, now),
                                         passphrase_required=record.has_passphrase, value=value))

    def burn(self, key: str) -> Response:
        """POST /private/:key/burn. Unknown receipts and gone secrets: "Unknown secret" with the
        receipt key as secret_key; a wrong passphrase: "Double check that passphrase"."""
        caller = self.authorize(True)
        if isinstance(caller, Response):
            return caller
        if len(key) < KEY_MIN_LENGTH:
            return not_found_response("Not Found")
        params = self.params()
        now = self.now()
        record = self.find_receipt(key, now)
        if record is None or not record.secret_viewable(now):
            return not_found_response(MSG_UNKNOWN_SECRET, {"secret_key": key})
        self.check_lockout(record, now)
        if not self.passphrase_ok(record, ruby_to_s(params.get("passphrase"))):
            self.record_failure(record, now)  # here an empty passphrase counts too
            raise FormError(MSG_WRONG_PASSPHRASE_BURN)
        if record.has_passphrase:
            self.clear_failures(record)
        record.value = None
        record.secret_alive = False
        record.state = "burned"
        record.receipt_secret_key = ""
        record.updated = now
        return ots_json({"state": self.receipt_hsh(record, caller),
                         "secret_shortkey": record.secret_key[: self.shortkey_len]})

    def recent(self) -> Response:
        """GET /private/recent: the caller's receipts of the last 30 days, oldest first, without
        secret_key (its alias secret_identifier stays, as on current servers)."""
        caller = self.authorize(False)
        if isinstance(caller, Response):
            return caller
        now = self.now()
        mine = [r for r in list(self.by_metadata.values())
                if r.owner == caller.email and self.find_receipt(r.metadata_key, now) is not None
                and r.created >= now - RECENT_WINDOW]
        out = []
        for record in sorted(mine, key=lambda r: (r.created, r.seq)):
            receipt = self.receipt_hsh(record, caller)
            receipt.pop("secret_key", None)
            out.append(receipt)
        return ots_json(out)

    def web_secret_page(self, key: str) -> Response:
        """GET /secret/:key: the recipient's page only asks for confirmation; it reveals nothing
        and does not burn the secret (link scanners open links)."""
        record = self.by_secret.get(key)
        known = record is not None and record.secret_viewable(self.now())
        body = ("<p>Click to continue: this message will only be shown once.</p>"
                '<form method="post"><button id="continue">View secret</button></form>' if known
                else "<p>That information is no longer available.</p>")
        return Response("<!DOCTYPE html><html><head><title>Onetime Secret</title></head><body>%s</body></html>\n"
                        % body, content_type="text/html; charset=utf-8")

    # ----------------------------------------------------------------- hidden test helpers

    def fake_secrets(self) -> Response:
        """GET /_fake/ots/secrets: what the server holds, without values, passphrases or keys
        that would reveal a secret."""
        now = self.now()
        return common.json_response([{
            "metadata_key": r.metadata_key, "state": r.state, "custid": r.owner or "anon",
            "has_passphrase": r.has_passphrase, "ttl": r.ttl, "kind": r.kind,
            "secret_expired": r.secret_expired(now), "receipt_expired": not r.receipt_alive(now),
        } for r in sorted(self.by_metadata.values(), key=lambda r: r.seq)])

    def _fake_target(self) -> Record | Response:
        spec = request.get_json(silent=True)
        if not isinstance(spec, dict):
            return common.json_response({"error": "expected a JSON object"}, 400)
        record = self.by_metadata.get(str(spec.get("metadata_key", "")))
        if record is None:
            return common.json_response({"error": "no such metadata_key"}, 404)
        g.fake_spec = spec
        return record

    def fake_age(self) -> Response:
        """POST /_fake/ots/age {"metadata_key", "seconds"}: pretend N seconds have passed for it."""
        record = self._fake_target()
        if isinstance(record, Response):
            return record
        seconds = g.fake_spec.get("seconds", 0)
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
            return common.json_response({"error": "seconds must be a number"}, 400)
        record.created -= seconds
        record.updated -= seconds
        if record.received is not None:
            record.received -= seconds
        record.attempts_since -= seconds
        if record.locked_until:
            record.locked_until -= seconds
        return common.json_response({"metadata_key": record.metadata_key, "created": int(record.created)})

    def fake_orphan(self) -> Response:
        """POST /_fake/ots/orphan {"metadata_key"}: lose the secret behind a receipt's back."""
        record = self._fake_target()
        if isinstance(record, Response):
            return record
        record.secret_alive = False
        record.value = None
        return common.json_response({"metadata_key": record.metadata_key})


# --------------------------------------------------------------------------- app factory


def create_app(accounts: list[tuple[str, str]] | tuple = (), *, edge_rate_limit: int = 0, **options) -> Flask:
    """Build the fake. ``accounts`` are (email, api_token) pairs; ``edge_rate_limit`` the proxy's requests per
    second per IP (ots_edge.py; 0: none); other options as OtsFake takes them."""
    users = [Account(email, token) for email, token in accounts]
    if len({u.email.strip().lower() for u in users}) != len(users):
        raise ValueError("the usernames must differ")
    if any(not u.email or not u.token for u in users):
        raise ValueError("usernames and API tokens must not be empty")
    fake = OtsFake(users, **options)

    app = Flask("ots_fake")
    app.url_map.strict_slashes = False
    app.extensions["ots_fake"] = fake

    def add(rule: str, endpoint: str, view, methods=("GET",)) -> None:
        def locked(**kwargs):
            with fake.lock:
                return view(**kwargs)
        app.add_url_rule(rule, endpoint, locked, methods=list(methods), provide_automatic_options=False)

    add(API + "/status", "status", lambda: fake.status(True))
    add(API + "/authcheck", "authcheck", lambda: fake.status(False))
    add(API + "/share", "share", lambda: fake.create("conceal"), ("POST",))
    add(API + "/create", "create", lambda: fake.create("conceal"), ("POST",))
    add(API + "/generate", "generate", lambda: fake.create("generate"), ("POST",))
    add(API + "/secret/<key>", "show_secret", fake.show_secret, ("POST",))
    for prefix in ("receipt", "private", "metadata"):
        add("%s/%s/recent" % (API, prefix), prefix + "_recent", fake.recent)
        add("%s/%s/<key>/burn" % (API, prefix), prefix + "_burn", fake.burn, ("POST",))
        add("%s/%s/<key>" % (API, prefix), prefix + "_show", fake.show_receipt, ("GET", "POST"))
    add("/secret/<key>", "web_secret", fake.web_secret_page)

    add("/_fake/ots/secrets", "fake_secrets", fake.fake_secrets)
    add("/_fake/ots/age", "fake_age", fake.fake_age, ("POST",))
    add("/_fake/ots/orphan", "fake_orphan", fake.fake_orphan, ("POST",))

    # OTS throttles in its views (404 + message, per event); in front of it the proxy's limiter (ots_edge.py).
    edge = ots_edge.EdgeLimiter(edge_rate_limit)

    def _reset() -> None:
        fake.reset()
        edge.reset()

    common.install_harness(app, name="ots", reset=_reset, rate_limiter=None, secret_view_args=("key",),
                           fault_response=ots_edge.fault_response)
    app.before_request(lambda: edge.check(common.client_ip(request.environ), request.path))
    log = app.logger

    @app.errorhandler(FormError)
    def _form_error(exc):
        return error_response(str(exc))

    @app.errorhandler(Unexpected)
    def _unexpected(_exc):
        return error_response(MSG_UNEXPECTED)

    @app.errorhandler(BadJsonBody)
    def _bad_json(_exc):
        return common.text_response("failed to parse body as JSON", 400)

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        if exc.code in (404, 405):
            return route_not_found()
        return exc

    @app.errorhandler(Exception)
    def _crash(exc):
        common.log_exception_safely(log, exc)
        return error_response(MSG_UNEXPECTED)

    return app


# --------------------------------------------------------------------------- command line


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--username", help="account 1: email used as the Basic auth username")
    parser.add_argument("--api-token", help="account 1: API token")
    parser.add_argument("--other-username", help="account 2")
    parser.add_argument("--other-api-token", help="account 2's API token")
    parser.add_argument("--plan", choices=PLANS, default="selfhosted",
                        help="accounts' plan: ttl ceiling (7/14/30/30 days); accounts on paid and "
                             "selfhosted skip the rate limit")
    parser.add_argument("--rate-limit", type=int, default=1000,
                        help="creates (and separately reads) per 20 minutes per IP; 0 disables")
    parser.add_argument("--secret-max-bytes", type=int, default=10000)
    parser.add_argument("--passphrase-min", type=int, default=4, help="0: no minimum")
    parser.add_argument("--passphrase-max", type=int, default=128)
    parser.add_argument("--legacy-strings", action="store_true",
                        help="ttl, created, updated, received, metadata_ttl, secret_ttl as strings (old servers)")
    parser.add_argument("--no-alias-fields", action="store_true",
                        help="omit identifier, secret_identifier, ..., metadata_url (v0.23 receipts)")
    parser.add_argument("--short-keys", action="store_true", help="~31-character keys, 6-character shortkey")
    parser.add_argument("--custom-domain", action="append", default=[], metavar="DOMAIN",
                        help="a custom domain of account 1, allowed as share_domain (repeatable)")
    parser.add_argument("--site-host", help="site.host (HOST): links use it (default: the address the fake listens on)")
    parser.add_argument("--ssl", choices=("true", "false"), help="site.ssl (SSL): https or http links "
                        "(default: the scheme the fake serves)")
    parser.add_argument("--edge-rate-limit", type=int, default=0, metavar="N",
                        help="the proxy in front (caddy-ratelimit): N requests per second per IP, then 429 "
                             "(default 0: none; 20 as etc/examples/Caddyfile-example)")


def app_from_args(args: argparse.Namespace) -> Flask:
    accounts = []
    pairs = ((args.username, args.api_token, ""), (args.other_username, args.other_api_token, "other-"))
    for user, token, what in pairs:
        if bool(user) != bool(token):
            raise ValueError("--%susername and --%sapi-token go together" % (what, what))
        if user:
            accounts.append((user, token))
    if args.other_username and not args.username:
        raise ValueError("--other-username needs --username")
    return create_app(accounts, plan=args.plan, rate_limit=args.rate_limit,
                      secret_max_bytes=args.secret_max_bytes, passphrase_min=args.passphrase_min,
                      passphrase_max=args.passphrase_max, legacy_strings=args.legacy_strings,
                      alias_fields=not args.no_alias_fields, short_keys=args.short_keys,
                      custom_domains=tuple(args.custom_domain), site_host=args.site_host,
                      ssl=None if args.ssl is None else args.ssl == "true", edge_rate_limit=args.edge_rate_limit)


def main(argv: list[str] | None = None) -> int:
    return fake_cli.serve_main("ots", "Fake onetimesecret (API v1) server for tests.", add_options, app_from_args,
                               argv, on_bound=lambda app: app.extensions["ots_fake"].bind_address)


if __name__ == "__main__":
    sys.exit(main())
