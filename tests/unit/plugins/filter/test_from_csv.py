# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.oneshot.secrets.plugins.filter.from_csv import FilterModule

from_csv = FilterModule().filters()["from_csv"]


def test_rows_keyed_by_the_header():
    assert from_csv('name,email\nalice,"a@example.com"\n"bob, jr",b@example.com\n') == [
        {"name": "alice", "email": "a@example.com"}, {"name": "bob, jr", "email": "b@example.com"}]


def test_rest_into_folds_other_columns():
    rows = from_csv("email,password,breach,source\nx@example.com,pw-value,b1,\n", keep=["email", "password"],
                    rest_into="metadata")
    assert rows == [{"email": "x@example.com", "password": "pw-value", "metadata": {"breach": "b1"}}]


def test_not_text_is_refused():
    with pytest.raises(AnsibleFilterError, match="expects CSV text"):
        from_csv(["name"])


def test_errors_name_the_line_and_never_quote_a_cell():
    with pytest.raises(AnsibleFilterError) as error:
        from_csv('email,password\nx@example.com,pw-value\ny@example.com,extra-secret,more-secret\n')
    assert "from_csv" in str(error.value) and "line 3" in str(error.value)
    assert "secret" not in str(error.value)


def test_neutralized_takes_off_the_quote_to_csv_put_and_nothing_else():
    text = "user,link\n'=HYPERLINK(\"http://x\"),l1\n''quoted,l2\n'plain,l3\n"
    assert from_csv(text, neutralized=True) == [
        {"user": '=HYPERLINK("http://x")', "link": "l1"}, {"user": "'quoted", "link": "l2"},
        {"user": "'plain", "link": "l3"}]
    assert from_csv(text)[0]["user"] == "'=HYPERLINK(\"http://x\")"


def test_required_columns_are_checked_without_quoting_a_cell():
    assert from_csv("user,email,link\n", required=["user", "link"]) == []
    with pytest.raises(AnsibleFilterError, match="naming the columns user, link") as error:
        from_csv("secret-a,secret-b\n", required=["user", "link"])
    assert "secret" not in str(error.value)


@pytest.mark.parametrize("options, message", [
    ({"required": "user"}, "required must be a list of column names, got str"),
    ({"neutralized": "yes"}, "neutralized must be true or false, got str"),
])
def test_bad_options_are_refused(options, message):
    with pytest.raises(AnsibleFilterError, match=message):
        from_csv("user\nx\n", **options)
