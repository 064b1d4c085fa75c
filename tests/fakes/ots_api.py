"""onetimesecret's API v1 routes and the ots fake's own ``/_fake/ots/`` controls (for ots_server.py)."""

from __future__ import annotations

from flask import Response, g, request

import common
from ots_core import OtsCore
from ots_model import (Account, DOMAIN_RE, EMAIL_RE, FormError, GENERATED_VALUE_DISPLAY_TTL,
                       GENERATE_DEFAULT_LENGTH, GENERATE_MAX_LENGTH, KEY_MIN_LENGTH, MAX_EMAIL_RECIPIENTS,
                       MSG_ACCOUNT_FOR_EMAIL, MSG_NOTHING_TO_SHARE, MSG_UNKNOWN_SECRET, MSG_WRONG_PASSPHRASE_BURN,
                       RECENT_WINDOW, Record, TTL_DEFAULT, TTL_MAX_ANONYMOUS, TTL_MAX_BY_PLAN, TTL_MIN,
                       Unexpected, generate_value, new_key, not_found_response, obscure_email, ots_json,
                       ruby_to_i, ruby_to_s)


class OtsFake(OtsCore):
    """The request handlers. Every handler runs under one lock (``create_app``): requests are short."""

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

    def _caller_for(self, key: str) -> Account | None | Response:
        """What the routes of one key do first: authorize (anonymous allowed), then refuse keys too short."""
        caller = self.authorize(True)
        if not isinstance(caller, Response) and len(key) < KEY_MIN_LENGTH:
            return not_found_response("Not Found")
        return caller

    def show_secret(self, key: str) -> Response:
        """POST /secret/:key: reveal once. A wrong passphrase answers like an unknown secret."""
        caller = self._caller_for(key)
        if isinstance(caller, Response):
            return caller
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
        caller = self._caller_for(key)
        if isinstance(caller, Response):
            return caller
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
        caller = self._caller_for(key)
        if isinstance(caller, Response):
            return caller
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
