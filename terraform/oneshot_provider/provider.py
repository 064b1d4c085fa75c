# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider on the `tf` framework: settings, clients, and its resources and data source
(pwpush.py, ots.py).

Every request to a service goes through the collection's clients (PwpushClient, OtsClient):
no file here holds HTTP code. The attributes of a resource's sealed block reach the resource in
plain text only during create; state keeps a digest (see servicer.py, digest.py). Every error
diagnostic names the attribute it is about.
"""

import os

from tf.iface import Provider
from tf.schema import Attribute, Schema
from tf.types import String, Unknown

from oneshot_provider import SOURCE_ADDRESS, collection
from oneshot_provider.common import in_provider_terms, known, lib
from oneshot_provider.ots import OtsSecret
from oneshot_provider.pwpush import PwpushInstance, PwpushPush

ENV_FALLBACKS = {
    "pwpush_url": "PWPUSH_URL",
    "pwpush_token": "PWPUSH_TOKEN",
    "pwpush_email": "PWPUSH_EMAIL",
    "ots_url": "OTS_URL",
    "ots_username": "OTS_USERNAME",
    "ots_api_token": "OTS_TOKEN",
}


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
            message = in_provider_terms(exc.message)
            diags.add_error(summary, message, path=path(message) if callable(path) else path)
            return None
        finally:
            if client is not None:
                client.close()
