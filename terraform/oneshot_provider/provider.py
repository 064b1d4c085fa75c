# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider on the `tf` framework: settings, clients, and its resources and data source
(pwpush.py, ots.py).

Every request to a service goes through the collection's clients (PwpushClient, OtsClient), one per service for
the provider process (clients.py): no file here holds HTTP code. The attributes of a resource's sealed block reach
the resource in plain text only during create; state keeps a digest (see servicer.py, digest.py). Every error
diagnostic names the attribute it is about.
"""

import os

from tf.iface import Provider
from tf.schema import Schema
from tf.types import Unknown

from oneshot_provider import SOURCE_ADDRESS, collection
from oneshot_provider.clients import SERVICE_NAMES, ProcessClients
from oneshot_provider.common import declared, declared_attribute, in_provider_words, known, lib, setting_words
from oneshot_provider.ots import OtsSecret
from oneshot_provider.owner_lists import OwnerLists
from oneshot_provider.pwpush import PwpushInstance, PwpushPush
from oneshot_provider.pwpush_retrieve import PwpushRetrieve

# The connection options a provider block sets, per service (declared in the collection: module_utils/api.py).
# Each setting is named like the lookups' variable (pwpush_url, ots_api_token) and falls back to the same
# environment variable as the modules; the other options (timeout, retries, ...) keep their declared defaults.
SETTINGS = (
    ("pwpush", "PWPUSH_CONNECTION", ("url", "token", "email")),
    ("ots", "OTS_CONNECTION", ("url", "username", "api_token")),
)
# What each setting is, for `terraform providers schema`; its variable and default are added from the declaration.
_DESCRIPTIONS = {
    "pwpush_url": "Password Pusher server",
    "pwpush_token": "Password Pusher API token",
    "pwpush_email": "Account email for servers older than 1.41",
    "ots_url": "onetimesecret server",
    "ots_username": "onetimesecret account email",
    "ots_api_token": "onetimesecret API token",
}
_MORE = {"pwpush_token": " Needed to refresh views and expiry without spending a view."}
# Added to the error of a request StopProvider ended: Terraform prints it under the resource it was for.
STOPPED = " Terraform was interrupted and asked the provider to stop, so the request was ended."


def settings():
    """(service, setting name, option name, declared option) of every provider setting."""
    found = []
    for service, set_name, option_names in SETTINGS:
        declared_set = getattr(declared(), set_name)
        found.extend((service, declared_set[name]["vars"][0], name, declared_set[name]) for name in option_names)
    return found


def env_fallbacks():
    """{setting: its environment variable}, as the modules read them."""
    return dict((setting, option["env"][0]) for _service, setting, _name, option in settings())


def resolve(declarations, given, environ=None):
    """The collection's one option resolver (given, then environment, then default), from its public API."""
    return declared().resolve(declarations, given, environ=environ)


def given_values(values):
    """Terraform's values as given: an empty string, as an unset attribute, leaves the option to the next source."""
    return dict((name, None if value == "" else value) for name, value in values.items())


def _description(setting, option):
    default = option.get("default")
    return "%s (env %s%s).%s" % (_DESCRIPTIONS[setting], option["env"][0],
                                 "; default %s" % default if default else "", _MORE.get(setting, ""))


class OneshotProvider(Provider):
    def __init__(self):
        self.settings = {}
        self.configured = False
        self.clients = ProcessClients(self.new_client)
        self.owner_lists = OwnerLists()  # the pwpush token owner's pushes, read once for every refresh

    def stop(self):
        self.clients.stop()

    def close(self):
        self.clients.close()

    def get_model_prefix(self):
        return "oneshot_"

    def full_name(self):
        return SOURCE_ADDRESS

    def get_provider_schema(self, diags):
        return Schema(
            description="Password Pusher and onetimesecret, through the oneshot.secrets collection's clients.",
            attributes=[declared_attribute(setting, option, {setting: _description(setting, option)}, optional=True)
                        for _service, setting, _name, option in settings()],
        )

    def validate_config(self, diags, config):
        for name in ("pwpush_url", "ots_url"):
            value = (config or {}).get(name)
            if known(value) and not str(value).startswith(("http://", "https://")):
                diags.add_error("%s must be an http:// or https:// address" % name, path=[name])

    def configure_provider(self, diags, config):
        config = config or {}
        # The settings hold what is set, in the provider block or else the environment; the defaults are left to
        # _get_option, so that an error can say a setting is not set and which default is used instead.
        known_settings = {}
        for _service, name, _option_name, option in settings():
            if config.get(name) is Unknown:
                env = option["env"][0]
                diags.add_error("%s is not known until apply" % name,
                                "Provider settings must be known at plan time: use a variable or %s." % env,
                                path=[name])
            else:
                known_settings[name] = dict(env=option["env"])
        given = given_values(dict((name, config.get(name)) for name in known_settings))
        self.settings.update(resolve(known_settings, given, environ=os.environ))
        try:
            lib()
        except collection.CollectionNotFound as exc:
            diags.add_error("The oneshot.secrets collection cannot be imported", str(exc))
        self.configured = True

    def get_data_sources(self):
        return [PwpushInstance]

    def get_resources(self):
        return [PwpushPush, OtsSecret]

    def get_ephemeral_resources(self):
        """Terraform >= 1.10 (ephemeral.py)."""
        return [PwpushRetrieve]

    # --- clients --------------------------------------------------------------------------

    def _get_option(self, service):
        """get_option for a client's from_options: this provider's setting (or its environment variable, see
        configure_provider), else the option's declared default."""
        set_name = dict((each_service, set_name) for each_service, set_name, _names in SETTINGS)[service]
        given = dict((name, self.settings.get(setting)) for each_service, setting, name, _option in settings()
                     if each_service == service)
        return resolve(getattr(declared(), set_name), given_values(given)).get

    def new_client(self, service):
        """A new client as from_options builds it (ProcessClients keeps the one the calls share), for a door whose
        results are never masked: Ansible's rule against short secrets (they could garble a masked link) does not
        apply, so a 4-digit PIN can be pushed."""
        module = lib()[service]
        client_class = module.PwpushClient if service == "pwpush" else module.OtsClient
        return client_class.from_options(self._get_option(service), masked_results=False)

    def check_settings(self, diags, service):
        """At plan time: the service's settings make a client (url, credentials that go together); no request."""
        self.call(diags, None, service, None)

    def call(self, diags, summary, service, action, path=None):
        """Run action(client) with the process's client of service; a ServiceError becomes one error diagnostic
        (None).

        What keeps the provider from the server (its settings, no answer, the answer of another service) is about
        the provider's settings and is worded so (server_problem); a request StopProvider ended is the action's,
        and says so; the rest is the action's (summary, path).
        """
        error_type = lib()["ServiceError"]
        client = None
        identified = False
        try:
            client = self.clients.get(service)
            if action is None:
                return None
            self.clients.identify(service, client)
            identified = True
            return action(client)
        except error_type as exc:
            if exc.code == lib()["options"].CANCELLED:
                diags.add_error(summary or "Stopped", in_provider_words(exc, service) + STOPPED)
            elif client is None or not identified or exc.code == "no_answer" or _not_the_service(service, exc):
                self.server_problem(diags, service, exc, settings_only=client is None)
            else:
                message = in_provider_words(exc, service)
                diags.add_error(summary, message, path=path(message) if callable(path) else path)
            return None

    def server_problem(self, diags, service, exc, settings_only=False):
        """An error of the provider's settings for service: never a resource attribute's, and in the provider's
        words (pwpush_url (PWPUSH_URL), not the modules' url)."""
        name = SERVICE_NAMES[service]
        message = in_provider_words(exc, service)
        if settings_only and getattr(exc, "option", None) != "url":
            diags.add_error("Invalid %s settings" % name, message)
            return
        if getattr(exc, "option", None) != "url":  # else the sentence names the setting already
            url = setting_words(service, "url")
            if self.settings.get("%s_url" % service):
                message = "Check %s. %s" % (url, message)
            else:
                message = "Check %s: it is not set, so the default %s is used. %s" % (
                    url, self._get_option(service)("url"), message)
        diags.add_error("Cannot reach the %s server" % name, message)


def _not_the_service(service, exc):
    """A 404 without onetimesecret's own message (it always says why in JSON): another HTTP server at the url.
    Password Pusher servers are identified by their version answer before any call."""
    return service == "ots" and exc.status == 404 and not exc.body_message
