"""The provider's socket directory: a deep TMPDIR must not make the socket path too long to bind."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "terraform"))

from oneshot_provider.server import (  # noqa: E402  pylint: disable=wrong-import-position
    MAX_SOCKET_PATH,
    SOCKET_DIR_PREFIX,
    socket_parent_dir,
)


def test_a_short_temporary_directory_is_used_as_it_is():
    short = "/tmp"
    assert socket_parent_dir({"PLUGIN_UNIX_SOCKET_DIR": short}) == short


def test_a_deep_temporary_directory_falls_back_to_tmp():
    deep = "/tmp/" + "d" * 90
    assert socket_parent_dir({"PLUGIN_UNIX_SOCKET_DIR": deep}) == "/tmp"


def test_the_longest_socket_path_fits():
    parent = "/tmp/" + "p" * 40
    chosen = socket_parent_dir({"PLUGIN_UNIX_SOCKET_DIR": parent})
    longest = os.path.join(chosen, "%s%d-%s" % (SOCKET_DIR_PREFIX, 4194304, "x" * 8), "plugin.sock")
    assert len(longest) <= MAX_SOCKET_PATH
