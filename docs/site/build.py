"""Build the collection's documentation site into build/docs/html (`make docs`).

antsibull-docs writes the RST of every module, lookup, filter and role (argument specs) of the
installed collection (ANSIBLE_COLLECTIONS_PATH must find oneshot.secrets); docs/*.md become the
guides; Sphinx renders both with the Ansible theme. Warnings are errors, so a broken reference or
a link to a page that does not exist fails the build.

    python docs/site/build.py [--out build/docs]
"""

import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
SITE = REPO / "docs" / "site"
# Markdown links with a relative target: [text](target) or [text](target#anchor).
LOCAL_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#)([^)#\s]+)")


def run(*args, cwd):
    print("+ " + " ".join(args), flush=True)
    if subprocess.run(args, cwd=cwd, check=False).returncode:
        sys.exit("docs: %s failed (its messages are above)" % args[0])


def copy_guides(src):
    """docs/*.md and docs/ci/*.md into src/guides, plus the repository files they link to, at the same relative
    place."""
    docs = REPO / "docs"
    guides = src / "guides"
    guides.mkdir()
    for guide in sorted(docs.glob("*.md")) + sorted(docs.glob("ci/*.md")):
        page = guides / guide.relative_to(docs)
        page.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(guide, page)
        for target in LOCAL_LINK.findall(guide.read_text(encoding="utf-8")):
            if target.endswith(".md"):
                continue  # another guide: a page of the site
            source = (guide.parent / target).resolve()
            if not source.is_file() or REPO not in source.parents:
                sys.exit("%s links to %s, which is not a file of the repository" % (guide.name, target))
            # Sphinx turns a link to a file that is not a page into a download of that file.
            dest = pathlib.Path(os.path.normpath(page.parent / target))
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, dest)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "build" / "docs"))
    out = pathlib.Path(parser.parse_args().out).resolve()
    src, html = out / "src", out / "html"
    shutil.rmtree(src, ignore_errors=True)
    shutil.rmtree(html, ignore_errors=True)
    # antsibull-docs wants a destination only its owner can write to.
    src.mkdir(parents=True, mode=0o700)
    src.chmod(0o700)
    run("antsibull-docs", "collection", "--use-current", "--dest-dir", str(src), "oneshot.secrets", cwd=src)
    shutil.copytree(SITE, src, dirs_exist_ok=True, ignore=shutil.ignore_patterns("build.py", "__pycache__"))
    copy_guides(src)
    run(sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-c", str(src), str(src), str(html),
        cwd=src)
    print("site: %s" % (html / "index.html"))


if __name__ == "__main__":
    main()
