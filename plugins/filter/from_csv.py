# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: from_csv
short_description: Parse CSV text with a header row into a list of dicts
version_added: 0.1.0
description:
  - Parses CSV text (RFC 4180 quoting, so fields may hold commas and quotes) whose first row names the columns,
    and returns one dict per row. Useful to load threat-intel exports and user lists without extra collections.
options:
  _input:
    description: The CSV text.
    type: str
    required: true
  keep:
    description: With O(rest_into), the columns that stay at the top of each dict.
    type: list
    elements: str
  rest_into:
    description: Put every column not in O(keep) into a dict under this key (empty cells left out).
    type: str
  required:
    description:
      - Columns the header must name; otherwise the filter fails (naming the columns and how many cells the first
        line has, never a cell's value).
    type: list
    elements: str
  neutralized:
    description:
      - The text was written by P(oneshot.secrets.to_csv#filter) with its default
        O(oneshot.secrets.to_csv#filter:neutralize=true) - take off the single quote it put in front of a cell
        that starts with C(=), C(+), C(-), C(@), a tab, a carriage return or a single quote, in every cell (the
        header's too), so that each cell is what was written.
      - Leave it off for CSV from elsewhere; a cell there that starts with a single quote would lose it.
    type: bool
    default: false
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: Users from a CSV export (name,email,team)
  ansible.builtin.set_fact:
    users: "{{ lookup('ansible.builtin.file', 'users.csv') | oneshot.secrets.from_csv }}"

- name: Leaked credentials (email,password,breach,...), the other columns as metadata
  ansible.builtin.set_fact:
    leaked: "{{ lookup('ansible.builtin.file', 'leak.csv') | oneshot.secrets.from_csv(keep=['email', 'password'], rest_into='metadata') }}"
  no_log: true

- name: The links of an earlier run, written with oneshot.secrets.to_csv (user,email,link)
  ansible.builtin.set_fact:
    earlier: "{{ lookup('ansible.builtin.file', '/srv/handout/links.csv', rstrip=false)
                 | oneshot.secrets.from_csv(neutralized=true, required=['user', 'link']) }}"
"""

RETURN = r"""
_value:
  description: One dict per data row, keyed by the header's column names; empty cells are empty strings.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.oneshot.secrets.plugins.module_utils.csv_rows import CsvError, rows_from_csv


def from_csv(text, keep=None, rest_into=None, required=None, neutralized=False):
    if not isinstance(text, str):
        raise AnsibleFilterError("from_csv expects CSV text, got %s" % type(text).__name__)
    if required is not None and (isinstance(required, (str, bytes)) or not isinstance(required, (list, tuple))):
        raise AnsibleFilterError("from_csv: required must be a list of column names, got %s" % type(required).__name__)
    if not isinstance(neutralized, bool):
        raise AnsibleFilterError("from_csv: neutralized must be true or false, got %s" % type(neutralized).__name__)
    try:
        return rows_from_csv(text, keep=keep, rest_into=rest_into, required=required or (), neutralized=neutralized)
    except CsvError as exc:
        raise AnsibleFilterError("from_csv: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"from_csv": from_csv}
