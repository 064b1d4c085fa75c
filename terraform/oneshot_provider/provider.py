# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider, its resources and its data source, on the `tf` framework.

Every request to a service goes through the collection's clients (PwpushClient, OtsClient):
this file holds no HTTP code. The attributes of a resource's sealed block reach the
resource in plain text only during create; state keeps a digest (see servicer.py, digest.py).
Every error diagnostic names the attribute it is about.
"""

import os

from tf.blocks import SetNestedBlock
from tf.iface import DataSource, Provider, Resource
from tf.schema import Attribute, Block, Schema
from tf.types import Bool, Number, String, Unknown

from oneshot_provider import SOURCE_ADDRESS, collection, digest
from oneshot_provider.servicer import SEALED, sealed_values

# Provider attribute -> environment variable used when the attribute is not set.
ENV_FALLBACKS = {
    "pwpush_url": "PWPUSH_URL",
    "pwpush_token": "PWPUSH_TOKEN",
    "pwpush_email": "PWPUSH_EMAIL",
    "ots_url": "OTS_URL",
    "ots_username": "OTS_USERNAME",
    "ots_api_token": "OTS_TOKEN",
}

_LIB = {}


def lib():
    """The collection's client modules, imported on first use (see collection.py)."""
    if not _LIB:
        collection.ensure_importable()
        # pylint: disable=import-outside-toplevel
        from ansible_collections.oneshot.secrets.plugins.module_utils import _http, ots, pwpush

        _LIB.update(pwpush=pwpush, ots=ots, ServiceError=_http.ServiceError)
    return _LIB


def lib_or_error(diags):
    try:
        return lib()
    except collection.CollectionNotFound as exc:
        diags.add_error("The oneshot.secrets collection cannot be imported", str(exc))
        return {}


def known(value):
    return value is not None and value is not Unknown


def _int(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _str_or_none(value):
    return None if value is None else str(value)


def error_path(message, names, sealed_names=()):
    """The attribute a client's message is about: the messages start with the option's name."""
    first = message.split(" ", 1)[0].rstrip(":,.")
    if first in sealed_names:
        return [SEALED]
    return [first] if first in names else None


def sealed_block(description, attributes):
    """The set block that holds a resource's secrets (exactly one element; see servicer.py)."""
    block = SetNestedBlock(SEALED, Block(attributes=attributes, description=description))
    block.min_items, block.max_items = 1, 1
    return block


class OneshotProvider(Provider):
    def __init__(self):
        self.settings = {}
        self.configured = False

    def get_model_prefix(self):
        return "oneshot_"

    def full_name(self):
        return SOURCE_ADDRESS

    def get_provider_schema(self, diags):
        return Schema(
            description="Password Pusher and onetimesecret, through the oneshot.secrets collection's clients.",
            attributes=[
                Attribute("pwpush_url", String(), optional=True,
                          description="Password Pusher server (env PWPUSH_URL; default https://pwpush.com)."),
                Attribute("pwpush_token", String(), optional=True, sensitive=True,
                          description="Password Pusher API token (env PWPUSH_TOKEN). Needed to refresh views and "
                                      "expiry without spending a view."),
                Attribute("pwpush_email", String(), optional=True,
                          description="Account email for servers older than 1.41 (env PWPUSH_EMAIL)."),
                Attribute("ots_url", String(), optional=True,
                          description="onetimesecret server (env OTS_URL; default https://us.onetimesecret.com)."),
                Attribute("ots_username", String(), optional=True,
                          description="onetimesecret account email (env OTS_USERNAME)."),
                Attribute("ots_api_token", String(), optional=True, sensitive=True,
                          description="onetimesecret API token (env OTS_TOKEN)."),
            ],
        )

    def validate_config(self, diags, config):
        for name in ("pwpush_url", "ots_url"):
            value = (config or {}).get(name)
            if known(value) and not str(value).startswith(("http://", "https://")):
                diags.add_error("%s must be an http:// or https:// address" % name, path=[name])

    def configure_provider(self, diags, config):
        config = config or {}
        for name, env in ENV_FALLBACKS.items():
            value = config.get(name)
            if value is Unknown:
                diags.add_error("%s is not known until apply" % name,
                                "Provider settings must be known at plan time: use a variable or %s." % env,
                                path=[name])
                continue
            self.settings[name] = value if value not in (None, "") else (os.environ.get(env) or None)
        try:
            lib()
        except collection.CollectionNotFound as exc:
            diags.add_error("The oneshot.secrets collection cannot be imported", str(exc))
        self.configured = True

    def get_data_sources(self):
        return [PwpushInstance]

    def get_resources(self):
        return [PwpushPush, OtsSecret]

    # --- clients --------------------------------------------------------------------------

    def pwpush_client(self):
        pwpush = lib()["pwpush"]
        return pwpush.PwpushClient(url=self.settings.get("pwpush_url") or pwpush.DEFAULT_URL,
                                   token=self.settings.get("pwpush_token"),
                                   email=self.settings.get("pwpush_email"))

    def ots_client(self):
        ots = lib()["ots"]
        return ots.OtsClient(url=self.settings.get("ots_url") or ots.DEFAULT_URL,
                             username=self.settings.get("ots_username"),
                             api_token=self.settings.get("ots_api_token"))

    def call(self, diags, summary, factory, action, path=None):
        """Run action(client) with a fresh client; a ServiceError becomes an error diagnostic (None)."""
        error_type = lib()["ServiceError"]
        client = None
        try:
            client = factory()
            return action(client)
        except error_type as exc:
            diags.add_error(summary, exc.message, path=path(exc.message) if callable(path) else path)
            return None
        finally:
            if client is not None:
                client.close()


class _Base:
    # The attributes of the `sealed` block: state keeps digests of them (see servicer.py).
    SEALED_FIELDS = ()

    def __init__(self, provider):
        self.provider = provider

    def check_with_server(self, diags, planned):
        """At plan time of a create: what only the server can tell (nothing by default)."""


# --------------------------------------------------------------------------------- pwpush


class PwpushPush(_Base, Resource):
    SEALED_FIELDS = ("payload", "passphrase")
    INPUTS = ("kind", "expire_after_days", "expire_after_duration", "expire_after_views",
              "name", "note", "deletable_by_viewer", "retrieval_step", "account_id")

    @classmethod
    def get_name(cls):
        return "pwpush_push"

    @classmethod
    def get_schema(cls):
        return Schema(
            version=2,
            description="A Password Pusher push. Changing any argument creates a new push; destroy expires it.",
            block_types=[sealed_block("The secrets: state keeps a salted scrypt digest of each, not the value.", [
                Attribute("payload", String(), required=True, sensitive=True,
                          description="The text, URL or QR content."),
                Attribute("passphrase", String(), optional=True, sensitive=True,
                          description="Passphrase the recipient must enter."),
            ])],
            attributes=[
                Attribute("kind", String(), optional=True, requires_replace=True,
                          description="text (default), url or qr."),
                Attribute("expire_after_days", Number(), optional=True, requires_replace=True,
                          description="1-90; on hosted servers mapped to the matching expire_after_duration."),
                Attribute("expire_after_duration", String(), optional=True, requires_replace=True,
                          description="Hosted servers: 0-17 or a name such as '1 hour', '1 week'."),
                Attribute("expire_after_views", Number(), optional=True, requires_replace=True,
                          description="1-100 views."),
                Attribute("name", String(), optional=True, requires_replace=True,
                          description="Name shown to the owner (v2 servers)."),
                Attribute("note", String(), optional=True, requires_replace=True,
                          description="Reference note shown to the owner only."),
                Attribute("deletable_by_viewer", Bool(), optional=True, requires_replace=True),
                Attribute("retrieval_step", Bool(), optional=True, requires_replace=True),
                Attribute("account_id", Number(), optional=True, requires_replace=True,
                          description="Hosted servers: the account that owns the push."),
                Attribute("id", String(), computed=True,
                          description="pwpush-<sha256 of the url_token>: not the token, so logs do not leak the link."),
                Attribute("url_token", String(), computed=True, sensitive=True),
                Attribute("url", String(), computed=True, sensitive=True,
                          description="The secret link to hand to the recipient."),
                Attribute("created_at", String(), computed=True),
                Attribute("expired", Bool(), computed=True),
                Attribute("expired_on", String(), computed=True),
                Attribute("views_remaining", Number(), computed=True),
                Attribute("days_remaining", Number(), computed=True),
                Attribute("passphrase_protected", Bool(), computed=True),
            ],
        )

    def spec(self, values, secrets=None):
        """A PushSpec of the arguments; secrets: the sealed block's plain values (unknowns left out)."""
        pwpush = lib()["pwpush"]
        fields = {}
        for key in self.INPUTS:
            value = values.get(key)
            if known(value):
                fields[key] = _int(value)
        for key, value in (secrets or {}).items():
            if known(value):
                fields[key] = value
        fields["kind"] = fields.get("kind") or "text"
        return pwpush.PushSpec(**fields)

    def _stand_in_secrets(self, values):
        """The sealed values, with a stand-in for a payload not known until apply."""
        secrets = sealed_values(values)
        if not known(secrets.get("payload")):
            secrets["payload"] = "https://example.invalid/" if values.get("kind") == "url" else "x"
        return secrets

    def _error(self, diags, summary, message):
        diags.add_error(summary, message, path=error_path(message, self.INPUTS, self.SEALED_FIELDS))

    def validate(self, diags, type_name, config):
        super().validate(diags, type_name, config)
        config = config or {}
        pwpush = lib_or_error(diags).get("pwpush")
        if pwpush is None:
            return
        kind = config.get("kind")
        if known(kind) and kind not in ("text", "url", "qr"):
            diags.add_error("kind must be text, url or qr", "File pushes are not supported by this resource.",
                            path=["kind"])
            return
        values = dict(config)
        if values.get("expire_after_duration") is Unknown:
            values["expire_after_duration"] = None
        try:
            self.spec(values, self._stand_in_secrets(values)).validate(has_token=True)
        except pwpush.PwpushError as exc:
            self._error(diags, "Invalid %s" % exc.message.split(" ", 1)[0], exc.message)

    def check_with_server(self, diags, planned):
        """Expiry the server's edition cannot honour (days a hosted server has no duration for) fails the plan."""
        if not (known(planned.get("expire_after_days")) or known(planned.get("expire_after_duration"))):
            return
        pwpush = lib()["pwpush"]
        try:
            spec = self.spec(planned, self._stand_in_secrets(planned)).validate(has_token=True)
        except pwpush.PwpushError:
            return  # validate() has said so already
        # Terraform 1.0.3 shows a plan diagnostic at the resource block, not at its path: the summary names it.
        name = "expire_after_days" if known(planned.get("expire_after_days")) else "expire_after_duration"
        self.provider.call(diags, "Invalid %s for this server" % name, self.provider.pwpush_client,
                           lambda client: spec.push_fields(client.expiry_field, client.api), path=[name])

    def create(self, ctx, planned):
        secrets = sealed_values(planned)
        push = self.provider.call(ctx.diagnostics, "Could not create the push", self.provider.pwpush_client,
                                  lambda client: client.create_push(self.spec(planned, secrets)),
                                  path=lambda message: error_path(message, self.INPUTS, self.SEALED_FIELDS))
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

    def read(self, ctx, current):
        """Refresh expiry and views without spending a view.

        preview (GET .../preview) tells whether the push still exists and counts no view; the
        owner's lists (active, then expired) carry views_remaining and expired without payloads.
        Retrieving the push is never done: for anyone but the owner it spends a view.
        """
        diags = ctx.diagnostics
        pwpush = lib()["pwpush"]
        token = current.get("url_token")
        if not token:
            return current
        state = dict(current)

        def refresh(client):
            try:
                client.preview(token)
            except pwpush.PwpushError as exc:
                if exc.status == 404:
                    return "gone"
                raise
            if not client.token:
                diags.add_warning("Views and expiry not refreshed",
                                  "Without pwpush_token (PWPUSH_TOKEN) only the push's existence can be checked "
                                  "without spending a view.")
                return None
            for which in ("active", "expired"):
                for push in client.iter_pushes(which):
                    if isinstance(push, dict) and push.get("url_token") == token:
                        return push
            diags.add_warning("Views and expiry not refreshed",
                              "The push is not among this token's pushes (another owner, or created anonymously).")
            return None

        found = self.provider.call(diags, "Could not refresh the push", self.provider.pwpush_client, refresh)
        if diags.has_errors():
            return current
        if found == "gone":
            return None  # deleted on the server: Terraform plans a new push
        if isinstance(found, dict):
            self._merge(state, found)
        return state

    def update(self, ctx, current, planned):
        return planned  # every argument forces a new push; only computed values can get here

    def delete(self, ctx, current):
        token = current.get("url_token")
        if token:
            self.provider.call(ctx.diagnostics, "Could not expire the push", self.provider.pwpush_client,
                               lambda client: client.expire(token))


class PwpushInstance(_Base, DataSource):
    @classmethod
    def get_name(cls):
        return "pwpush_instance"

    @classmethod
    def get_schema(cls):
        return Schema(
            description="What the configured Password Pusher server is: version, edition, API and expiry field.",
            attributes=[
                Attribute("url", String(), computed=True),
                Attribute("version", String(), computed=True, description="The server's application version."),
                Attribute("edition", String(), computed=True, description="oss or commercial (hosted)."),
                Attribute("api_version", String(), computed=True, description="The API this client uses: v2 or v1."),
                Attribute("server_api_version", String(), computed=True),
                Attribute("expiry_field", String(), computed=True,
                          description="expire_after_days or expire_after_duration: the field this server honours."),
            ],
        )

    def read(self, ctx, config):
        info = self.provider.call(ctx.diagnostics, "Could not read the Password Pusher server",
                                  self.provider.pwpush_client, lambda client: client.instance_info())
        if info is None:
            return None
        return dict(url=info.get("url"), version=_str_or_none(info.get("application_version")),
                    edition=info.get("edition"), api_version=info.get("api_version"),
                    server_api_version=_str_or_none(info.get("server_api_version")),
                    expiry_field=info.get("expiry_field"))


# ------------------------------------------------------------------------------------ ots


class OtsSecret(_Base, Resource):
    SEALED_FIELDS = ("secret", "passphrase")
    INPUTS = ("ttl", "recipient", "share_domain")

    @classmethod
    def get_name(cls):
        return "ots_secret"

    @classmethod
    def get_schema(cls):
        return Schema(
            version=2,
            description="A onetimesecret secret. Changing any argument shares a new one; destroy burns it.",
            block_types=[sealed_block("The secrets: state keeps a salted scrypt digest of each, not the value.", [
                Attribute("secret", String(), required=True, sensitive=True, description="The secret."),
                Attribute("passphrase", String(), optional=True, sensitive=True,
                          description="Passphrase the recipient must enter. Destroy cannot burn such a secret "
                                      "(burning needs the passphrase) and leaves it to expire."),
            ])],
            attributes=[
                Attribute("ttl", Number(), optional=True, requires_replace=True,
                          description="Seconds: 60 to 7 days anonymously, up to 30 days with an account."),
                Attribute("recipient", String(), optional=True, requires_replace=True,
                          description="Email the link to this address (accounts only)."),
                Attribute("share_domain", String(), optional=True, requires_replace=True),
                Attribute("id", String(), computed=True,
                          description="ots-<sha256 of the metadata key>: not the key itself."),
                Attribute("metadata_key", String(), computed=True, sensitive=True,
                          description="The receipt's key: reads the receipt and burns the secret."),
                Attribute("url", String(), computed=True, sensitive=True,
                          description="The secret link to hand to the recipient."),
                Attribute("receipt_url", String(), computed=True, sensitive=True),
                Attribute("state", String(), computed=True,
                          description="new, viewed, received, burned, expired or orphaned."),
                Attribute("expires_at", String(), computed=True),
                Attribute("passphrase_required", Bool(), computed=True),
            ],
        )

    def validate(self, diags, type_name, config):
        super().validate(diags, type_name, config)
        config = config or {}
        ots = lib_or_error(diags).get("ots")
        if ots is None:
            return
        values = dict((k, v if known(v) else None) for k, v in config.items())
        secrets = dict((k, v if known(v) else None) for k, v in sealed_values(config).items())
        try:
            # Whether an account is used is known only once the provider is configured: allow its limits here,
            # the client checks again before it shares.
            ots.validate_secret_options(secret=secrets.get("secret"), passphrase=secrets.get("passphrase"),
                                        ttl=_int(values.get("ttl")), recipient=values.get("recipient"),
                                        authenticated=True)
        except ots.OtsError as exc:
            diags.add_error("Invalid %s" % exc.message.split(" ", 1)[0], exc.message,
                            path=error_path(exc.message, self.INPUTS, self.SEALED_FIELDS))

    def create(self, ctx, planned):
        secrets = sealed_values(planned)
        passphrase = secrets.get("passphrase") if known(secrets.get("passphrase")) else None
        receipt = self.provider.call(
            ctx.diagnostics, "Could not share the secret", self.provider.ots_client,
            lambda client: client.share(secrets["secret"], passphrase=passphrase, ttl=_int(planned.get("ttl")),
                                        recipient=planned.get("recipient"),
                                        share_domain=planned.get("share_domain")),
            path=lambda message: error_path(message, self.INPUTS, self.SEALED_FIELDS))
        if receipt is None:
            return None
        state = dict(planned)
        key = receipt["metadata_key"]
        state.update(id=digest.public_id("ots", key), metadata_key=key, url=receipt.get("secret_url"),
                     receipt_url=receipt.get("metadata_url"))
        return self._merge(state, receipt, passphrase is not None)

    @staticmethod
    def _merge(state, receipt, has_passphrase):
        # passphrase_required is missing once the secret is gone; has_passphrase is the newer alias.
        required = receipt.get("passphrase_required", receipt.get("has_passphrase", has_passphrase))
        state.update(state=receipt.get("state"),
                     expires_at=receipt.get("expires_at", state.get("expires_at")),
                     passphrase_required=bool(required))
        return state

    def read(self, ctx, current):
        """The receipt (GET /private/KEY): reading it never reveals or burns the secret."""
        diags = ctx.diagnostics
        ots = lib()["ots"]
        key = current.get("metadata_key")
        if not key:
            return current

        def refresh(client):
            try:
                return client.metadata(key)
            except ots.OtsError as exc:
                if exc.status == 404 and exc.body_message in ("Unknown secret", "Not Found"):
                    return "gone"
                raise

        receipt = self.provider.call(diags, "Could not read the receipt", self.provider.ots_client, refresh)
        if diags.has_errors():
            return current
        if receipt == "gone":
            return None  # the receipt itself expired (2 x ttl): Terraform plans a new secret
        return self._merge(dict(current), receipt, bool(current.get("passphrase_required")))

    def update(self, ctx, current, planned):
        return planned

    def delete(self, ctx, current):
        diags = ctx.diagnostics
        ots = lib()["ots"]
        key = current.get("metadata_key")
        if not key:
            return

        def burn(client):
            try:
                return client.burn(key)
            except ots.OtsError as exc:
                if exc.body_message == "Double check that passphrase":
                    diags.add_warning(
                        "Secret not burned",
                        "It is passphrase-protected and the passphrase is not kept in state, so it cannot be burned. "
                        "It stays readable (with its passphrase) until %s." % (current.get("expires_at") or "its ttl"))
                    return None
                raise

        self.provider.call(diags, "Could not burn the secret", self.provider.ots_client, burn)
