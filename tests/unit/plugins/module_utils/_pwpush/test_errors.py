# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wording of a failed Password Pusher answer: chosen by the operation and the status, not by its text."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush import errors
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError, raise_for
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import response

URL = "https://pw.example.test"


def message(answer, operation, secrets=()):
    with pytest.raises(PwpushError) as info:
        raise_for(answer, operation, URL, secrets, 3)
    return info.value.message


@pytest.mark.parametrize("operation, expected", [
    (errors.RETRIEVE, "Could not retrieve the push: wrong or missing passphrase (HTTP 401: no)."),
    (errors.EXPIRE, "Could not expire the push: not allowed (HTTP 401: no): only the owner can expire it unless "
                    "deletable_by_viewer is on."),
    (errors.AUDIT, "Could not read the audit log: authentication required (HTTP 401: no): set token (PWPUSH_TOKEN)."),
])
def test_401_depends_on_the_operation(operation, expected):
    assert message(response(401, {"error": "no"}), operation) == expected


def test_404_of_the_version_says_the_server_has_no_api_v2_but_its_api_v1_variant_does_not():
    assert message(response(404), errors.VERSION) == (
        "Could not read the server version: HTTP 404 from %s/api/v2/version: this server has no API v2 (it is older "
        "than 2.3); use api_version auto or v1." % URL)
    assert message(response(404), errors.VERSION_V1) == (
        "Could not read the server version (API v1): push not found (HTTP 404): the token is wrong, or the push was "
        "deleted.")


def test_422_names_the_request_for_a_notification_and_the_push_otherwise():
    answer = {"notify_emails_to": ["is invalid"]}
    assert message(response(422, answer), errors.NOTIFY) == (
        "Could not send the push's link by email: the server rejected the request (HTTP 422): notify_emails_to: "
        "is invalid.")
    assert message(response(422, answer), errors.CREATE) == (
        "Could not create the push: the server rejected the push (HTTP 422): notify_emails_to: is invalid.")


def test_an_operation_is_known_by_its_key_not_by_how_its_text_begins():
    # The old code tested action.startswith("retrieve"): an operation worded alike is not a retrieval.
    lookalike = errors.Operation("retrieve_later", "retrieve the push's audit log")
    assert "authentication required" in message(response(401, {"error": "no"}), lookalike)


def test_every_message_masks_the_secrets_and_names_the_list():
    assert message(response(400, {"error": "bad s3cr3t-value"}), errors.LIST_PUSHES["expired"], ["s3cr3t-value"]) == (
        "Could not list expired pushes: bad request (HTTP 400): bad ********.")
