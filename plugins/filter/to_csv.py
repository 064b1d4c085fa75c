# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: to_csv
short_description: Write rows as CSV text, with cells a spreadsheet would evaluate made plain text
version_added: 0.1.0
description:
  - Writes rows (lists of cells, or dicts read in the order of O(columns)) as CSV text with Python's C(csv)
    module - RFC 4180 quoting, so that a cell may hold commas, double quotes and line breaks - and C(\n) line ends.
    Every row, the last one too, ends with a line end.
  - By default a cell that a spreadsheet would evaluate as a formula (it starts with C(=), C(+), C(-), C(@), a tab or
    a carriage return) gets a leading single quote, as OWASP recommends against CSV injection, so that a mail-merge
    or a spreadsheet shows it as text. A cell that already starts with a single quote gets one too, so that
    P(oneshot.secrets.from_csv#filter) with O(oneshot.secrets.from_csv#filter:neutralized=true) gives back every
    cell exactly as it was.
options:
  _input:
    description:
      - The rows. Each is a list of cells or a dict; a cell is text, a number, a boolean (written as its text) or
        null (an empty cell).
    type: list
    elements: raw
    required: true
  columns:
    description:
      - The header row, written first.
      - Required when a row is a dict. Such a row gives the value of each column (a missing key is an empty cell);
        its other keys are left out.
      - A row that is a list may be shorter than O(columns) (the rest is empty cells), never longer.
    type: list
    elements: str
  neutralize:
    description:
      - Put a single quote in front of every cell (the header's too) that starts with C(=), C(+), C(-), C(@), a tab,
        a carriage return or a single quote.
      - V(false) writes the cells as they are; only for files that no spreadsheet or mail-merge will open.
    type: bool
    default: true
seealso:
  - plugin: oneshot.secrets.from_csv
    plugin_type: filter
  - name: OWASP - CSV injection
    description: Why and how cells that start with a formula character are neutralised.
    link: https://owasp.org/www-community/attacks/CSV_Injection
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: A mail-merge file of links (a name like "=HYPERLINK(...)" is written as text)
  ansible.builtin.copy:
    content: "{{ result.links | oneshot.secrets.to_csv(columns=['name', 'email', 'link']) }}"
    dest: /srv/handout/links.csv
    mode: "0600"

- name: Rows as lists, with a header
  ansible.builtin.set_fact:
    report_csv: "{{ [['alice', 3], ['bob, jr', 0]] | oneshot.secrets.to_csv(columns=['user', 'logins']) }}"
  # user,logins
  # alice,3
  # "bob, jr",0

- name: Read it back exactly as it was written
  ansible.builtin.set_fact:
    report_rows: "{{ report_csv | oneshot.secrets.from_csv(neutralized=true) }}"
"""

RETURN = r"""
_value:
  description: The CSV text, the header first when O(columns) is given; each row ends with C(\n).
  type: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.oneshot.secrets.plugins.module_utils.csv_rows import CsvError, csv_from_rows


def _listed(value):
    """value as a list when it is a list (or a generator, as Jinja's map gives), None for text, a dict or a scalar."""
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
        return None
    return list(value)


def to_csv(rows, columns=None, neutralize=True):
    listed_rows = _listed(rows)
    if listed_rows is None:
        raise AnsibleFilterError("to_csv expects a list of rows, got %s" % type(rows).__name__)
    listed_columns = None if columns is None else _listed(columns)
    if columns is not None and listed_columns is None:
        raise AnsibleFilterError("to_csv: columns must be a list of column names, got %s" % type(columns).__name__)
    if not isinstance(neutralize, bool):
        raise AnsibleFilterError("to_csv: neutralize must be true or false, got %s" % type(neutralize).__name__)
    try:
        return csv_from_rows(listed_rows, columns=listed_columns, neutralize=neutralize)
    except CsvError as exc:
        raise AnsibleFilterError("to_csv: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"to_csv": to_csv}
