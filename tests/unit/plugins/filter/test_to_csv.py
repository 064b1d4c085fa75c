# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.oneshot.secrets.plugins.filter.from_csv import FilterModule as FromCsv
from ansible_collections.oneshot.secrets.plugins.filter.to_csv import FilterModule as ToCsv

to_csv = ToCsv().filters()["to_csv"]
from_csv = FromCsv().filters()["from_csv"]

HOSTILE_NAMES = ["mallory,ceo@example.com,https://evil.example/it-reset", '=HYPERLINK("http://x")',
                 "+cmd|' /C calc'!A0", "@SUM(1+1)", "-1", "\tx", "\rx", 'say "hi"', "two\nlines", "'quoted", "'"]


def test_hostile_names_are_one_row_each_none_evaluated_and_read_back_as_given():
    rows = [{"name": name, "email": "+%d@example.com" % number, "link": "https://pwpush.example/p/%d" % number,
             "reused": False} for number, name in enumerate(HOSTILE_NAMES)]
    text = to_csv(rows, columns=["name", "email", "link"])
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["name", "email", "link"] and len(table) == len(HOSTILE_NAMES) + 1
    assert not [cell for row in table for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    written = [dict((key, row[key]) for key in ("name", "email", "link")) for row in rows]
    assert from_csv(text, neutralized=True) == written


def test_lists_tuples_and_generators_of_rows():
    assert to_csv([("a", 1), ["b, c", None]], columns=["x", "y"]) == 'x,y\na,1\n"b, c",\n'
    assert to_csv(iter([["a"]])) == "a\n"
    assert to_csv([["a"]], columns=iter(["x"])) == "x\na\n"


def test_neutralize_off_writes_cells_as_they_are():
    assert to_csv([["=1+1"]], neutralize=False) == "=1+1\n"
    assert to_csv([["=1+1"]]) == "'=1+1\n"


@pytest.mark.parametrize("rows, columns, neutralize, message", [
    ("a,b", None, True, "to_csv expects a list of rows, got str"),
    ({"a": 1}, None, True, "to_csv expects a list of rows, got dict"),
    (5, None, True, "to_csv expects a list of rows, got int"),
    ([["a"]], "a,b", True, "columns must be a list of column names, got str"),
    ([["a"]], None, "yes", "neutralize must be true or false, got str"),
    ([{"a": "secret-cell"}], None, True, "to_csv: row 1 is a dict: give columns"),
    ([["a", "secret-cell"]], ["x"], True, "to_csv: row 1 has 2 cells, more than the 1 columns"),
])
def test_bad_input_is_refused_naming_the_option_or_row_never_a_cell(rows, columns, neutralize, message):
    with pytest.raises(AnsibleFilterError) as error:
        to_csv(rows, columns=columns, neutralize=neutralize)
    assert message in str(error.value) and "secret" not in str(error.value)
