# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""oneshot_ots_secret: onetimesecret through the collection's OtsClient."""

from tf.iface import Resource
from tf.schema import Attribute, Schema
from tf.types import Bool, String

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
    write_only_attributes,
)
from oneshot_provider.servicer import SEALED, secrets_of, write_only_form


# What each argument is, for `terraform providers schema`; types come from the collection's declarations.
_DESCRIPTIONS = {
    "passphrase": "Passphrase the recipient must enter. Destroy cannot burn such a secret "
                  "(burning needs the passphrase) and leaves it to expire.",
    "ttl": "Seconds: 60 to 7 days anonymously, up to 30 days with an account.",
    "share_domain": "A custom domain of the account to build the link with, instead of the server's own host.",
    "secret_wo": "Write-only (Terraform >= 1.11): the secret, never kept in plan or state. Instead of the sealed "
                 "block; change secret_wo_version to share a new one.",
    "passphrase_wo": "Write-only (Terraform >= 1.11): passphrase the recipient must enter, with secret_wo. Destroy "
                     "cannot burn such a secret and leaves it to expire.",
}
_WO_VERSION = ("Any number: changing it shares a new secret with the current secret_wo and passphrase_wo "
               "(Terraform cannot see a write-only value change).")


class OtsSecret(Base, Resource):
    SEALED_FIELDS = ("secret", "passphrase")
    WRITE_ONLY = {"secret_wo": "secret", "passphrase_wo": "passphrase"}
    WRITE_ONLY_VERSION = "secret_wo_version"
    INPUTS = ("ttl", "recipient", "share_domain")

    @classmethod
    def get_name(cls):
        return "ots_secret"

    @classmethod
    def get_schema(cls):
        options = declared().OTS_SECRET  # the collection's declarations (module_utils/api.py)
        return Schema(
            version=2,
            description="A onetimesecret secret. Changing any argument shares a new one; destroy burns it.",
            block_types=[sealed_block(
                "The secrets, on any Terraform: state keeps a salted scrypt digest of each, not the value. On "
                "Terraform >= 1.11 secret_wo keeps nothing.",
                [Attribute("secret", String(), required=True, sensitive=True, description="The secret."),
                 declared_attribute("passphrase", options["passphrase"], _DESCRIPTIONS, optional=True)])],
            attributes=write_only_attributes(cls, _DESCRIPTIONS, _WO_VERSION) + [
                declared_attribute("ttl", options["ttl"], _DESCRIPTIONS, optional=True, requires_replace=True),
                Attribute("recipient", String(), optional=True, requires_replace=True,
                          description="Email the link to this address (accounts only)."),
                declared_attribute("share_domain", options["share_domain"], _DESCRIPTIONS, optional=True,
                                   requires_replace=True),
                Attribute("id", String(), computed=True,
                          description="ots-<sha256 of the metadata key>: not the key itself."),
                Attribute("metadata_key", String(), computed=True, sensitive=True,
                          description="The receipt's key: reads the receipt and burns the secret."),
                Attribute("url", String(), computed=True, sensitive=True,
                          description="The secret link to hand to the recipient."),
                Attribute("receipt_url", String(), computed=True, sensitive=True,
                          description="The server's link to the receipt page (onetimesecret v0.24 and later)."),
                Attribute("state", String(), computed=True,
                          description="new, viewed, received, burned, expired or orphaned."),
                Attribute("expires_at", String(), computed=True,
                          description="When the secret expires (UTC, ISO 8601)."),
                Attribute("passphrase_required", Bool(), computed=True,
                          description="Whether the recipient must enter a passphrase."),
            ],
        )

    def validate(self, diags, type_name, config):
        super().validate(diags, type_name, config)
        config = config or {}
        ots = lib_or_error(diags).get("ots")
        if ots is None:
            return
        secrets_required(diags, type(self), config)
        values = dict((k, v if known(v) else None) for k, v in config.items())
        secrets = dict((k, v if known(v) else None) for k, v in secrets_of(type(self), config).items())
        try:
            # Whether an account is used is known only once the provider is configured: allow its limits here,
            # the client checks again before it shares.
            ots.validate_secret_options(secret=secrets.get("secret"), passphrase=secrets.get("passphrase"),
                                        ttl=as_int(values.get("ttl")), recipient=values.get("recipient"),
                                        authenticated=True, masked_results=False)
        except ots.OtsError as exc:
            message = in_provider_words(exc, "ots")
            write_only = self.WRITE_ONLY if write_only_form(type(self), config) else None
            diags.add_error("Invalid %s" % message.split(" ", 1)[0], message,
                            path=error_path(message, self.INPUTS, self.SEALED_FIELDS, write_only))

    def check_with_server(self, diags, planned):
        """The provider's settings (no request); anonymous use (no ots_username) allows shorter ttls and no
        recipient: known once configured."""
        ots = lib()["ots"]
        self.provider.check_settings(diags, "ots")
        if diags.has_errors() or self.provider.settings.get("ots_username"):
            return
        try:
            ots.validate_secret_options(ttl=as_int(planned.get("ttl")) if known(planned.get("ttl")) else None,
                                        recipient=planned.get("recipient") if known(planned.get("recipient")) else None)
        except ots.OtsError as exc:
            message = in_provider_words(exc, "ots")
            name = error_path(message, self.INPUTS) or ["ttl"]
            diags.add_error("Invalid %s for anonymous use" % name[0], message, path=name)

    def create(self, ctx, planned):
        secrets = secrets_of(type(self), planned)
        write_only = self.WRITE_ONLY if write_only_form(type(self), planned) else None
        passphrase = secrets.get("passphrase") if known(secrets.get("passphrase")) else None
        receipt = self.provider.call(
            ctx.diagnostics, "Could not share the secret", "ots",
            lambda client: client.share(secrets["secret"], passphrase=passphrase, ttl=as_int(planned.get("ttl")),
                                        recipient=planned.get("recipient"),
                                        share_domain=planned.get("share_domain")),
            path=lambda message: error_path(message, self.INPUTS, self.SEALED_FIELDS, write_only))
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
        key = current.get("metadata_key")
        if not key:
            return current
        receipt = self.provider.call(diags, "Could not read the receipt", "ots", _receipt_or_gone(key))
        if diags.has_errors():
            return current
        if receipt == "gone":
            return None  # the receipt itself expired (2 x ttl): Terraform plans a new secret
        return self._merge(dict(current), receipt, bool(current.get("passphrase_required")))

    def import_(self, ctx, id):  # pylint: disable=redefined-builtin
        """terraform import ADDRESS METADATA_KEY (or the receipt's link): the receipt, which neither reveals nor
        burns the secret. The secret cannot be read back; digest.IMPORTED stands for it and the next plan takes the
        configured one (servicer.py). A key the server does not know: an error worded as Terraform words it."""
        receipt = self.provider.call(ctx.diagnostics, "Cannot import the secret", "ots", _receipt_or_gone(id))
        if receipt == "gone":
            self.import_not_found(ctx.diagnostics, "secret", "ots")
        if receipt is None or receipt == "gone" or not receipt.get("metadata_key"):
            return None
        key = receipt["metadata_key"]
        # Missing once the secret is gone: then not known.
        required = receipt.get("passphrase_required", receipt.get("has_passphrase"))
        state = dict((name, None) for name in self.INPUTS + tuple(self.WRITE_ONLY) + (self.WRITE_ONLY_VERSION,))
        state.update(id=digest.public_id("ots", key), metadata_key=key, url=receipt.get("secret_url"),
                     receipt_url=receipt.get("metadata_url"), state=None, expires_at=None)
        self._merge(state, receipt, bool(required))
        state["passphrase_required"] = None if required is None else bool(required)
        state[SEALED] = [dict(secret=digest.IMPORTED, passphrase=None if required is False else digest.IMPORTED)]
        return state

    def adopts(self, imported, wanted):
        """A secret known to need a passphrase, or known not to, is not the configured one if it says otherwise."""
        required = imported.get("passphrase_required")
        return required is None or required == (wanted.get("passphrase") is not None)

    def update(self, ctx, current, planned):
        return planned  # only computed values, or the first plan after an import, get here

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

        self.provider.call(diags, "Could not burn the secret", "ots", burn)


def _receipt_or_gone(key):
    """A call reading the receipt of key (a metadata key or the receipt's link): the receipt, or "gone" when the
    server no longer knows it (it never reveals nor burns the secret)."""
    def read(client):
        try:
            return client.metadata(key)
        except lib()["ots"].OtsError as exc:
            if exc.status == 404 and exc.body_message in ("Unknown secret", "Not Found"):
                return "gone"
            raise
    return read
