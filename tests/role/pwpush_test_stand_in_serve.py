"""TEST STAND-IN app for the role's molecule test: the project's pwpush test server (tests/fakes) with
its pushes kept in the PostgreSQL database the role made, sealed with the master key, as the real app
keeps them (encrypted with PWPUSH_MASTER_KEY, in DATABASE_URL). Never use it anywhere else.

The database is the only state: every request loads the pushes from it and writes back the rows it changed, so a
restart, an upgrade, a dump and a restore behave as they do for the real app: pushes survive a
restart and an image change, a dropped table loses them, a restore brings them back, and a new master
key makes the old ones unreadable (the real app then fails to decrypt them; here they answer 404 and
stay in the table untouched).

    pwpush_test_stand_in_serve.py FAKES_DIR PORT [--token T] [--no-anonymous] [--base-url U] [--bind ADDRESS]

Its "migrations" behave like Rails' on PostgreSQL: they hold an advisory lock while they run (two
seconds here), and an app that starts while another one migrates the same database fails with
ConcurrentMigrationError and exits (systemd starts it again). Each run, and each such failure, is
recorded in stand_in_migrations, so the multi-host test sees whether the hosts migrated one at a time.

DATABASE_URL and PWPUSH_MASTER_KEY come from the environment (the stand-in podman reads them from the
role's env file and secret files), as for the real app.
"""
import hashlib
import hmac
import os
import pickle  # nosec: the test's own data, sealed with the master key
import secrets
import sys
import time

import psycopg2
from flask import request

TABLE = "stand_in_pushes"
MIGRATIONS = "stand_in_migrations"
# Rails: ActiveRecord::Migrator::MIGRATOR_SALT-derived key; any fixed key does here.
MIGRATION_LOCK = 2053462845


def keystream(key, nonce, length):
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(key + nonce + counter.to_bytes(8, "big")).digest()
        counter += 1
    return bytes(out[:length])


def seal(key, data):
    nonce = secrets.token_bytes(16)
    body = bytes(a ^ b for a, b in zip(data, keystream(key, nonce, len(data))))
    return nonce + body + hmac.new(key, nonce + body, hashlib.sha256).digest()


def unseal(key, blob):
    nonce, body, tag = blob[:16], blob[16:-32], blob[-32:]
    if not hmac.compare_digest(tag, hmac.new(key, nonce + body, hashlib.sha256).digest()):
        return None
    return bytes(a ^ b for a, b in zip(body, keystream(key, nonce, len(body))))


def migrate(database_url, instance):
    """The "migrations": the table the pushes live in, under the advisory lock, as Rails runs them."""
    conn = psycopg2.connect(database_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS %s (instance text NOT NULL, outcome text NOT NULL, "
                        "at timestamptz NOT NULL DEFAULT clock_timestamp())" % MIGRATIONS)
            cur.execute("SELECT pg_try_advisory_lock(%s)", (MIGRATION_LOCK,))
            if not cur.fetchone()[0]:
                cur.execute("INSERT INTO %s (instance, outcome) VALUES (%%s, 'concurrent')" % MIGRATIONS, (instance,))
                sys.stderr.write("ActiveRecord::ConcurrentMigrationError: another migration is running\n")
                sys.exit(1)
            cur.execute("CREATE TABLE IF NOT EXISTS %s (url_token text PRIMARY KEY, sealed bytea NOT NULL)" % TABLE)
            time.sleep(2)
            cur.execute("INSERT INTO %s (instance, outcome) VALUES (%%s, 'migrated')" % MIGRATIONS, (instance,))
            cur.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
    finally:
        conn.close()


def main(argv):
    fakes_dir, port = argv[0], int(argv[1])
    sys.path.insert(0, fakes_dir)
    import common  # pylint: disable=import-outside-toplevel,import-error
    import pwpush_server  # pylint: disable=import-outside-toplevel,import-error

    key = bytes.fromhex(os.environ["PWPUSH_MASTER_KEY"])
    database_url = os.environ["DATABASE_URL"]

    parser_argv = argv[2:]
    bind = parser_argv[parser_argv.index("--bind") + 1] if "--bind" in parser_argv else "127.0.0.1"
    migrate(database_url, "%s:%d" % (bind, port))

    app = pwpush_server.create_app(
        "oss", [parser_argv[parser_argv.index("--token") + 1]], anonymous="--no-anonymous" not in parser_argv,
        rate_limit_per_minute=0, rate_limit_per_second=0,
        base_url=parser_argv[parser_argv.index("--base-url") + 1] if "--base-url" in parser_argv else None)
    fake = app.extensions["pwpush_fake"]
    state = {"conn": None, "loaded": {}}

    @app.before_request
    def _load():
        if request.path == "/up":  # Rails' health check does not touch the database
            return
        conn = psycopg2.connect(database_url)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT url_token, sealed FROM %s" % TABLE)  # fails (500) when the table is gone
                rows = cur.fetchall()
        except Exception:
            conn.close()
            raise
        state["conn"] = conn
        pushes, loaded = {}, {}
        for token, blob in rows:
            data = unseal(key, bytes(blob))
            if data is not None:  # sealed with another master key: unreadable, left as it is
                pushes[token] = pickle.loads(data)  # nosec
                loaded[token] = data
        fake.pushes.clear()
        fake.pushes.update(pushes)
        fake.seq = max([p.seq for p in pushes.values()] + [0])
        state["loaded"] = loaded

    @app.after_request
    def _save(response):
        conn = state.pop("conn", None)
        if conn is None:
            return response
        # Only the rows this request changed, as the real app writes: two app hosts on one database must not
        # undo each other's pushes (a request's stale copy of the table would delete a push made meanwhile).
        loaded = state.pop("loaded", {})
        with conn, conn.cursor() as cur:
            for token, push in fake.pushes.items():
                data = pickle.dumps(push)
                if loaded.get(token) != data:
                    cur.execute("INSERT INTO %s (url_token, sealed) VALUES (%%s, %%s) ON CONFLICT (url_token) "
                                "DO UPDATE SET sealed = EXCLUDED.sealed" % TABLE,
                                (token, psycopg2.Binary(seal(key, data))))
            for token in set(loaded) - set(fake.pushes):
                cur.execute("DELETE FROM %s WHERE url_token = %%s" % TABLE, (token,))
        conn.close()
        return response

    @app.teardown_request
    def _close(_exc):
        conn = state.pop("conn", None)
        if conn is not None:
            conn.close()

    # One request at a time: the database is the state, loaded and written back around each request.
    common.run(app, port, bind, threads=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
