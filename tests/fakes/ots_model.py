"""onetimesecret's API v1 as the ots fake models it (for ots_server.py): limits, messages, Ruby semantics of
its params, its answers, accounts and secrets (a receipt and its secret: ``Record``)."""

from __future__ import annotations

import json
import math
import re
import secrets
import string
from dataclasses import dataclass

from flask import Response


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
