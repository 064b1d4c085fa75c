"""TEST STAND-IN for podman in the role's molecule test. Never use it anywhere else.

Podman cannot run inside the systemd-nspawn test machine, and no registry is reachable, so the
molecule scenario points pwpush_server_container_engine_binary at this script. It understands the
engine commands the role and its unit use (version, image inspect, pull, rm, run, stop, exec) and,
for `run`, checks the arguments the way the real container would see them (env file, the published
127.0.0.1 port, the storage and secret volumes, the user), then becomes the project's pwpush test
server (tests/fakes) on the published address, as that user, with its pushes in DATABASE_URL
(tests/role/pwpush_test_stand_in_serve.py). tests/role/engine-test.sh runs the
very same `run` command line with the real podman and the real docker engine.
"""
import os
import re
import signal
import stat
import sys
import urllib.parse

STATE = "/var/lib/pwpush-test-stand-in"
FAKES = "/opt/pwpush-test-stand-in/fakes"
SERVE = "/opt/pwpush-test-stand-in/serve.py"
TOKEN_FILE = "/etc/pwpush-test-stand-in/token"


def fail(msg):
    sys.stderr.write("pwpush-test-stand-in: %s\n" % msg)
    sys.exit(125)


def images():
    try:
        with open(os.path.join(STATE, "images"), encoding="utf-8") as fh:
            return set(fh.read().split())
    except FileNotFoundError:
        return set()


def pidfile(name):
    return os.path.join(STATE, name + ".pid")


def read_env_file(path):
    env = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                fail("env file %s: a line without '='" % path)
            env[key] = value
    return env


def run(args):
    opts = {"env_files": [], "publish": [], "volumes": [], "user": None, "name": None, "pull": None}
    takes = {"--name": "name", "--user": "user", "--pull": "pull", "--env-file": "env_files",
             "--publish": "publish", "-p": "publish", "--volume": "volumes", "-v": "volumes"}
    i = 0
    while i < len(args) and args[i].startswith("-"):
        arg = args[i]
        if arg == "--rm":
            i += 1
            continue
        if arg not in takes or i + 1 >= len(args):
            fail("run: option %s not understood" % arg)
        key = takes[arg]
        if isinstance(opts[key], list):
            opts[key].append(args[i + 1])
        else:
            opts[key] = args[i + 1]
        i += 2
    if i != len(args) - 1:
        fail("run: expected exactly one image after the options, got %r" % args[i:])
    image = args[i]
    if image not in images():
        fail("run: image %s not present (pull it first)" % image)
    if opts["pull"] != "never":
        fail("run: the unit must not pull (--pull never)")
    if opts["user"] != "1000:1000":
        fail("run: the image runs as 1000:1000, got --user %s" % opts["user"])

    env = {}
    for path in opts["env_files"]:
        st = os.stat(path)
        if st.st_uid != 0 or stat.S_IMODE(st.st_mode) != 0o600:
            fail("env file %s must be 0600 root" % path)
        env.update(read_env_file(path))
    if not env.get("DATABASE_URL", "").startswith("postgres://"):
        fail("DATABASE_URL must point at PostgreSQL (the app would silently fall back to SQLite)")

    mounts = {}
    for vol in opts["volumes"]:
        parts = vol.split(":")
        if len(parts) < 2 or not os.path.exists(parts[0]):
            fail("volume %s: the host path is missing" % vol)
        mounts[parts[1]] = parts[0]
    storage = mounts.get("/opt/PasswordPusher/storage")
    if not storage or os.stat(storage).st_uid != 1000:
        fail("/opt/PasswordPusher/storage must be a volume owned by uid 1000")
    socket_dir = re.search(r"[?&]host=([^&]+)", env["DATABASE_URL"])
    if socket_dir and socket_dir.group(1) not in mounts:
        fail("DATABASE_URL uses the socket in %s, which is not mounted" % socket_dir.group(1))

    # libpq reads sslrootcert (sslmode=verify-ca/verify-full) inside the container, as the app's user: it must be
    # mounted and readable by uid 1000. The stand-in runs on the host, so it is given the host's path of the mount;
    # psycopg2 hands the whole URL, sslmode included, to libpq, which verifies the server with it.
    database_url = env["DATABASE_URL"]
    rootcert = re.search(r"([?&])sslrootcert=([^&]+)", database_url)
    if rootcert:
        in_container = urllib.parse.unquote(rootcert.group(2))
        host_path = mounts.get(in_container)
        if not host_path:
            fail("DATABASE_URL's sslrootcert %s is not mounted into the container" % in_container)
        st = os.stat(host_path)
        if not (st.st_mode & stat.S_IROTH or (st.st_uid == 1000 and st.st_mode & stat.S_IRUSR)
                or (st.st_gid == 1000 and st.st_mode & stat.S_IRGRP)):
            fail("sslrootcert %s: not readable by uid 1000" % host_path)
        database_url = (database_url[:rootcert.start()] + rootcert.group(1) + "sslrootcert="
                        + urllib.parse.quote(host_path, safe="/") + database_url[rootcert.end():])

    secret_values = {}
    for var, length in (("PWPUSH_MASTER_KEY", 64), ("SECRET_KEY_BASE", 128)):
        if var + "_FILE" in env:
            host_path = mounts.get(env[var + "_FILE"])
            if not host_path:
                fail("%s_FILE=%s is not mounted into the container" % (var, env[var + "_FILE"]))
            st = os.stat(host_path)
            if st.st_uid != 1000 or stat.S_IMODE(st.st_mode) & 0o077:
                fail("%s: the secret file must belong to uid 1000 and be private" % var)
            with open(host_path, encoding="ascii") as fh:
                value = fh.read().strip()
        else:
            value = env.get(var, "")
        if not re.fullmatch("[0-9a-f]{%d}" % length, value):
            fail("%s: expected %d hex characters" % (var, length))
        secret_values[var] = value

    if len(opts["publish"]) != 1:
        fail("run: expected one --publish")
    # 127.0.0.1, or a private address the nginx of other hosts reach (pwpush_server_app_bind_address).
    match = re.fullmatch(r"(\d+\.\d+\.\d+\.\d+):(\d+):(\d+)", opts["publish"][0])
    if not match:
        fail("run: the app must be published on one IPv4 address, got %s" % opts["publish"][0])
    bind, host_port = match.group(1), match.group(2)

    with open(TOKEN_FILE, encoding="ascii") as fh:
        token = fh.read().strip()
    # The pushes live in DATABASE_URL, sealed with the master key (see pwpush_test_stand_in_serve.py).
    argv = ["/usr/bin/python3", SERVE, FAKES, host_port, "--token", token, "--bind", bind]
    if env.get("PWP__ALLOW_ANONYMOUS") == "false":
        argv.append("--no-anonymous")
    if env.get("PWP__OVERRIDE_BASE_URL"):
        argv += ["--base-url", env["PWP__OVERRIDE_BASE_URL"]]

    os.makedirs(STATE, exist_ok=True)
    if opts["name"]:
        with open(pidfile(opts["name"]), "w", encoding="ascii") as fh:
            fh.write(str(os.getpid()))
    uid, gid = (int(x) for x in opts["user"].split(":"))
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    os.chdir("/")
    sys.stderr.write("pwpush-test-stand-in: TEST STAND-IN serving %s on %s:%s\n" % (image, bind, host_port))
    sys.stderr.flush()
    os.execve(argv[0], argv, {"PATH": "/usr/bin:/bin", "HOME": "/", "LANG": "C.UTF-8",
                              "DATABASE_URL": database_url,
                              "PWPUSH_MASTER_KEY": secret_values["PWPUSH_MASTER_KEY"]})


def stop(name):
    try:
        with open(pidfile(name), encoding="ascii") as fh:
            pid = int(fh.read())
        os.kill(pid, signal.SIGTERM)
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass


def main(argv):
    if not argv:
        fail("no command")
    cmd, args = argv[0], argv[1:]
    if cmd == "version":
        print("pwpush-test-stand-in (TEST STAND-IN for podman; molecule only)")
    elif cmd == "image" and args[:1] == ["inspect"]:
        if args[-1] not in images():
            sys.stderr.write("Error: %s: image not known\n" % args[-1])
            return 125
        print("sha256:" + "0" * 64)
    elif cmd == "pull":
        os.makedirs(STATE, exist_ok=True)
        with open(os.path.join(STATE, "images"), "a", encoding="utf-8") as fh:
            fh.write(args[-1] + "\n")
    elif cmd == "rm":
        stop(args[-1])
    elif cmd == "stop":
        stop(args[-1])
    elif cmd == "exec":
        return 0
    elif cmd == "run":
        run(args)
    else:
        fail("command %s not understood" % cmd)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
