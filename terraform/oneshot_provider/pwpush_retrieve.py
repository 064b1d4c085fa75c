# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ephemeral "oneshot_pwpush_retrieve": a push's payload as an ephemeral value (Terraform >= 1.10).

The payload lives in Terraform's memory for one command: it can feed a write-only argument (another provider's
password_wo, or this provider's payload_wo) and never reaches state or a plan file. Terraform opens an ephemeral
resource at plan and again at apply: each open is a retrieval, which counts a view unless pwpush_token is the
push owner's (as for the answers to your own Password Pusher requests). A counted view is said in a warning.
"""

from tf.schema import Attribute, Schema
from tf.types import String, Unknown

from oneshot_provider.common import Base, known, lib, lib_or_error


class PwpushRetrieve(Base):
    @classmethod
    def get_name(cls):
        return "pwpush_retrieve"

    @classmethod
    def get_schema(cls):
        return Schema(
            description="Reads a Password Pusher push into an ephemeral value (Terraform >= 1.10): never in state "
                        "or a plan file. Each plan and each apply reads it: a view each, unless pwpush_token is the "
                        "push owner's token.",
            attributes=[
                Attribute("url", String(), required=True, sensitive=True,
                          description="The push's link (https://host/p/TOKEN, .../r) or its token, e.g. one of "
                                      "the response tokens of your Password Pusher request."),
                Attribute("passphrase", String(), optional=True, sensitive=True,
                          description="Passphrase of the push, when it has one."),
                Attribute("payload", String(), computed=True, sensitive=True,
                          description="The push's payload (a file push: its note)."),
            ],
        )

    def validate(self, diags, config):
        lib_or_error(diags)
        url = config.get("url")
        if known(url) and not str(url).strip():
            diags.add_error("url must not be empty", "Give the push's link or token.", path=["url"])

    def open(self, diags, config):
        url, passphrase = config.get("url"), config.get("passphrase")
        result = dict(url=url, passphrase=passphrase, payload=Unknown)
        if not known(url) or passphrase is Unknown:
            return result  # Terraform asks again once they are known
        pwpush = lib()["pwpush"]

        def read(client):
            push = client.retrieve(url, passphrase=passphrase)
            if push.get("expired") or push.get("payload") is None:
                raise pwpush.PwpushError("the push has expired: its payload is gone.")
            return push["payload"], client.retrieval_counted_a_view(url, push)

        found = self.provider.call(diags, "Could not retrieve the push", "pwpush", read, path=["url"])
        if found is None:
            return None
        result["payload"], counted = found
        if counted:
            diags.add_warning(
                "The read counted a view of the push",
                "Terraform reads an ephemeral resource at plan and again at apply, and each read counts a view unless "
                "pwpush_token (PWPUSH_TOKEN) is the token of the push's owner. Check that the push allows enough "
                "views (expire_after_views).")
        return result
