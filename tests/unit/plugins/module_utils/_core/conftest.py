# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the transport's tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.tests.fakes.raw_server import RawServer


@pytest.fixture
def serve():
    """serve(handler): a RawServer (tests/fakes/raw_server.py) that reads the request, then lets handler(conn,
    request_number, stopping) write whatever it likes."""
    servers = []

    def start(handler):
        def read_then_handle(conn, number, stopping):
            conn.recv(65536)
            handler(conn, number, stopping)

        server = RawServer(read_then_handle)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
