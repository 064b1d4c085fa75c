# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""oneshot_pwpush_push and oneshot_pwpush_instance: Password Pusher through the collection's PwpushClient."""

from tf.iface import DataSource, Resource
from tf.schema import Attribute, Schema
from tf.types import Bool, Number, String, Unknown

from oneshot_provider import digest
from oneshot_provider.common import (
    Base,
    as_int,
    declared,
    declared_attribute,
    error_path,
    in_provider_words,
    known,
    lib,
    lib_or_error,
    sealed_block,
    secrets_required,
    str_or_none,
    write_only_attributes,
)
from oneshot_provider.servicer import SEALED, secrets_of, write_only_form

# What each push argument is, for `terraform providers schema`; names and types come from the collection's
# declarations (PushSpec.OPTIONS: PWPUSH_PUSH and PWPUSH_PUSH_OWNER of module_utils/api.py).
_DESCRIPTIONS = {
    "kind": "text (default), url or qr.",
    "passphrase": "Passphrase the recipient must enter.",
    "expire_after_days": "1-90; on hosted servers mapped to the matching expire_after_duration.",
    "expire_after_duration": "Hosted servers: 0-17 or a name such as '1 hour', '1 week'.",
    "expire_after_views": "1-100 views.",
    "name": "Name shown to the owner (v2 servers).",
    "note": "Reference note shown to the owner only.",
    "account_id": "Hosted servers: the account that owns the push.",
    "retrieval_step": "The recipient first sees a page with a button that reveals the secret (the link ends in /r),"
                      " so that link previews in chat and mail do not spend a view.",
    "deletable_by_viewer": "The recipient may expire the push once they have seen it.",
    "payload_wo": "Write-only (Terraform >= 1.11): the text, URL or QR content, never kept in plan or state. "
                  "Instead of the sealed block; change payload_wo_version to push a new one.",
    "passphrase_wo": "Write-only (Terraform >= 1.11): passphrase the recipient must enter, with payload_wo.",
}
_WO_VERSION = ("Any number: changing it creates a new push with the current payload_wo and passphrase_wo "
               "(Terraform cannot see a write-only value change).")


def _push_options():
    """{name: declaration} of the push options, in PushSpec.OPTIONS order."""
    options = declared()
    every = dict(options.PWPUSH_PUSH, **options.PWPUSH_PUSH_OWNER)
    return dict((name, every[name]) for name in lib()["pwpush"].PushSpec.OPTIONS)


class _Inputs:
    """PwpushPush.INPUTS, read when first asked for: the collection is imported then, not when this file is."""

    def __get__(self, instance, owner):
        return tuple(name for name in _push_options() if name not in owner.SEALED_FIELDS)


class PwpushPush(Base, Resource):
    SEALED_FIELDS = ("payload", "passphrase")
    WRITE_ONLY = {"payload_wo": "payload", "passphrase_wo": "passphrase"}
    WRITE_ONLY_VERSION = "payload_wo_version"
    INPUTS = _Inputs()
    # File pushes need files on the machine that runs the module: not a resource argument.
    KINDS = ("text", "url", "qr")

    @classmethod
    def get_name(cls):
        return "pwpush_push"

    @classmethod
    def get_schema(cls):
        options = _push_options()
        return Schema(
            version=2,
            description="A Password Pusher push. Changing any argument creates a new push; destroy expires it.",
            block_types=[sealed_block(
                "The secrets, on any Terraform: state keeps a salted scrypt digest of each, not the value. On "
                "Terraform >= 1.11 payload_wo keeps nothing.",
                [Attribute("payload", String(), required=True, sensitive=True,
                           description="The text, URL or QR content.")]
                + [declared_attribute(name, options[name], _DESCRIPTIONS, optional=True)
                   for name in cls.SEALED_FIELDS if name in options])],
            attributes=[declared_attribute(name, options[name], _DESCRIPTIONS, optional=True, requires_replace=True)
                        for name in cls.INPUTS] + write_only_attributes(cls, _DESCRIPTIONS, _WO_VERSION) + [
                Attribute("id", String(), computed=True,
                          description="pwpush-<sha256 of the url_token>: not the token, so logs do not leak the link."),
                Attribute("url_token", String(), computed=True, sensitive=True,
                          description="The push's token, the last part of its link: whoever has it can open the push."),
                Attribute("url", String(), computed=True, sensitive=True,
                          description="The secret link to hand to the recipient."),
                Attribute("created_at", String(), computed=True,
                          description="When the push was created (UTC, ISO 8601, as the server wrote it)."),
                Attribute("expired", Bool(), computed=True,
                          description="Whether the push has expired (views or days used up, or expired by its owner)."),
                Attribute("expired_on", String(), computed=True,
                          description="When the push expired (UTC, ISO 8601); null while it is active."),
                Attribute("views_remaining", Number(), computed=True,
                          description="Views left, as of the last refresh (needs pwpush_token)."),
                Attribute("days_remaining", Number(), computed=True,
                          description="Days left, as of the last refresh (needs pwpush_token)."),
                Attribute("passphrase_protected", Bool(), computed=True,
                          description="Whether the recipient must enter a passphrase."),
            ],
        )

    def spec(self, values, secrets=None):
        """A PushSpec of the arguments; secrets: the sealed block's plain values (unknowns left out)."""
        pwpush = lib()["pwpush"]
        fields = {}
        for key in self.INPUTS:
            value = values.get(key)
            if known(value):
                fields[key] = as_int(value)
        for key, value in (secrets or {}).items():
            if known(value):
                fields[key] = value
        fields["kind"] = fields.get("kind") or "text"
        return pwpush.PushSpec(**fields)

    def _stand_in_secrets(self, values):
        """The secrets (block or write-only), with a stand-in for a payload not known until apply."""
        secrets = secrets_of(type(self), values)
        if not known(secrets.get("payload")):
            secrets["payload"] = "https://example.invalid/" if values.get("kind") == "url" else "stand-in-payload"
        return secrets

    def _error(self, diags, summary, message, values):
        write_only = self.WRITE_ONLY if write_only_form(type(self), values) else None
        diags.add_error(summary, message, path=error_path(message, self.INPUTS, self.SEALED_FIELDS, write_only))

    def validate(self, diags, type_name, config):
        super().validate(diags, type_name, config)
        config = config or {}
        pwpush = lib_or_error(diags).get("pwpush")
        if pwpush is None:
            return
        kind = config.get("kind")
        if known(kind) and kind not in self.KINDS:
            diags.add_error("kind must be text, url or qr", "File pushes are not supported by this resource.",
                            path=["kind"])
            return
        secrets_required(diags, type(self), config)
        values = dict(config)
        if values.get("expire_after_duration") is Unknown:
            values["expire_after_duration"] = None
        try:
            self.spec(values, self._stand_in_secrets(values)).validate(has_token=True, masked_results=False)
        except pwpush.PwpushError as exc:
            message = in_provider_words(exc, "pwpush")
            self._error(diags, "Invalid %s" % message.split(" ", 1)[0], message, values)

    def check_with_server(self, diags, planned):
        """At plan time of a create: the provider's settings (no request), and, when an expiry is given, whether the
        server's edition can honour it (days a hosted server has no duration for)."""
        days, duration = planned.get("expire_after_days"), planned.get("expire_after_duration")
        if not (known(days) or known(duration)):
            self.provider.check_settings(diags, "pwpush")
            return
        pwpush = lib()["pwpush"]
        try:
            # The expiry alone: what the server's edition decides (the rest is validate()'s or the create's).
            spec = pwpush.PushSpec(payload="stand-in-payload", expire_after_days=as_int(days) if known(days) else None,
                                   expire_after_duration=duration if known(duration) else None).validate(
                                       has_token=True, masked_results=False)
        except pwpush.PwpushError:
            return  # validate() has said so already
        # Reaching and identifying the server is the provider's concern (its url setting), not the attribute's.
        server = self.provider.call(diags, "Could not read the Password Pusher server", "pwpush",
                                    lambda client: (client.expiry_field, client.api))
        if server is None:
            return
        # The summary names the attribute too: a diagnostic is read in logs without the configuration beside it.
        name = "expire_after_days" if known(days) else "expire_after_duration"
        try:
            spec.push_fields(*server)
        except pwpush.PwpushError as exc:
            diags.add_error("Invalid %s for this server" % name, in_provider_words(exc, "pwpush"), path=[name])

    def create(self, ctx, planned):
        secrets = secrets_of(type(self), planned)
        write_only = self.WRITE_ONLY if write_only_form(type(self), planned) else None
        push = self.provider.call(ctx.diagnostics, "Could not create the push", "pwpush",
                                  lambda client: client.create_push(self.spec(planned, secrets)),
                                  path=lambda message: error_path(message, self.INPUTS, self.SEALED_FIELDS, write_only))
        if push is None:
            return None
        state = dict(planned)
        token = push["url_token"]
        state.update(id=digest.public_id("pwpush", token), url_token=token, url=push.get("url"),
                     passphrase_protected=known(secrets.get("passphrase")))
        return self._merge(state, push)

    @staticmethod
    def _merge(state, push):
        state.update(created_at=push.get("created_at", state.get("created_at")),
                     expired=bool(push.get("expired")),
                     expired_on=push.get("expired_on"),
                     views_remaining=push.get("views_remaining"),
                     days_remaining=push.get("days_remaining"))
        return state

    def _look_up(self, diags, client, token=None, reference=None):
        """(url_token, the owner's push or None, the preview's link or None) of a push known by its token (refresh)
        or by a token or link (import); "gone" when the server has no such push. Never spends a view.

        With pwpush_token the owner's lists tell (OwnerLists: read once for every push of the process, they carry
        views_remaining and expired without payloads). Otherwise, and for a push not in them or known by a link,
        preview (GET .../preview, counts no view) tells that it exists. Retrieving the push is never done: for
        anyone but the owner it spends a view.
        """
        pwpush = lib()["pwpush"]
        if token and client.token:
            push = self.provider.owner_lists.find(client, token)
            if push is not None:
                return token, push, None
        try:
            previewed = client.preview(token or reference)
        except pwpush.PwpushError as exc:
            if exc.status == 404:
                return "gone"
            raise
        token, push = previewed["url_token"], None
        if not client.token:
            diags.add_warning("Views and expiry not refreshed",
                              "Without pwpush_token (PWPUSH_TOKEN) only the push's existence can be checked "
                              "without spending a view.")
            return token, None, previewed["url"]
        if reference is not None:
            push = self.provider.owner_lists.find(client, token)
        if push is None and self.provider.owner_lists.truncated():
            # Past the 10,000 pushes the lists show: the owner's own read (audit log first), never a view.
            owned = client.owned_push(token, read=True)
            push = owned[0] if owned else None
        if push is None:
            diags.add_warning("Views and expiry not refreshed",
                              "The push is not among this token's pushes (another owner, or created anonymously).")
        return token, push, previewed["url"]

    def read(self, ctx, current):
        """Refresh expiry and views without spending a view (_look_up): about one request for 50 pushes with
        pwpush_token, one a push without."""
        diags = ctx.diagnostics
        token = current.get("url_token")
        if not token:
            return current
        found = self.provider.call(diags, "Could not refresh the push", "pwpush",
                                   lambda client: self._look_up(diags, client, token=token))
        if diags.has_errors():
            return current
        if found == "gone":
            return None  # deleted on the server: Terraform plans a new push
        state = dict(current)
        if found is not None and found[1] is not None:  # (token, the owner's push, link)
            self._merge(state, found[1])
        return state

    def import_(self, ctx, id):  # pylint: disable=redefined-builtin
        """terraform import ADDRESS URL_TOKEN (or the push's link): what the server tells without spending a view.
        The payload cannot be read back; digest.IMPORTED stands for it and the next plan takes the configured one
        (servicer.py). A token the server does not know: an error worded as Terraform words it."""
        diags = ctx.diagnostics
        found = self.provider.call(diags, "Cannot import the push", "pwpush",
                                   lambda client: self._look_up(diags, client, reference=id))
        if found == "gone":
            self.import_not_found(diags, "push", "pwpush")
        if found is None or found == "gone":
            return None
        token, push, link = found
        state = dict((name, None) for name in self.INPUTS + tuple(self.WRITE_ONLY) + (self.WRITE_ONLY_VERSION,))
        state.update(id=digest.public_id("pwpush", token), url_token=token, url=link, created_at=None, expired=None,
                     expired_on=None, views_remaining=None, days_remaining=None, passphrase_protected=None)
        if push is not None:
            self._merge(state, push)
            # The owner's link, as create stores it (with /r when the push has the retrieval step).
            state.update(url=push.get("url") or link, passphrase_protected=push.get("passphrase_protected"))
        protected = state["passphrase_protected"]
        state[SEALED] = [dict(payload=digest.IMPORTED, passphrase=None if protected is False else digest.IMPORTED)]
        return state

    def adopts(self, imported, wanted):
        """A push known to have a passphrase, or known to have none, is not the configured one if it says otherwise."""
        protected = imported.get("passphrase_protected")
        return protected is None or protected == (wanted.get("passphrase") is not None)

    def update(self, ctx, current, planned):
        # Every argument forces a new push: only computed values, or the first plan after an import, get here.
        return planned

    def delete(self, ctx, current):
        token = current.get("url_token")
        if current.get("expired") is True:
            return  # expired when last refreshed: a push never comes back, nothing to send
        if token:
            # Active when last refreshed: no audit read before the DELETE (a destroy of a push is 2 requests).
            known_active = current.get("expired") is False
            self.provider.call(ctx.diagnostics, "Could not expire the push", "pwpush",
                               lambda client: client.expire(token, known_active=known_active))


class PwpushInstance(Base, DataSource):
    @classmethod
    def get_name(cls):
        return "pwpush_instance"

    @classmethod
    def get_schema(cls):
        return Schema(
            description="What the configured Password Pusher server is: version, edition, API and expiry field.",
            attributes=[
                Attribute("url", String(), computed=True, description="The server asked (pwpush_url or its default)."),
                Attribute("version", String(), computed=True, description="The server's application version."),
                Attribute("edition", String(), computed=True, description="oss or commercial (hosted)."),
                Attribute("api_version", String(), computed=True, description="The API this client uses: v2 or v1."),
                Attribute("server_api_version", String(), computed=True,
                          description="The API version the server reports."),
                Attribute("expiry_field", String(), computed=True,
                          description="expire_after_days or expire_after_duration: the field this server honours."),
            ],
        )

    def read(self, ctx, config):
        info = self.provider.call(ctx.diagnostics, "Could not read the Password Pusher server",
                                  "pwpush", lambda client: client.instance_info())
        if info is None:
            return None
        return dict(url=info.get("url"), version=str_or_none(info.get("application_version")),
                    edition=info.get("edition"), api_version=info.get("api_version"),
                    server_api_version=str_or_none(info.get("server_api_version")),
                    expiry_field=info.get("expiry_field"))
