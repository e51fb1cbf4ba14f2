"""``rasid users add NAME --role viewer|coder|admin [--password]``, ``rasid users passwd NAME``,
``rasid users list`` and ``rasid export-gold --db FILE --out gold.json``: the review loop's accounts
and what it teaches (see :mod:`rasid.review`)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import datetime
from pathlib import Path

from rasid.cli.common import add_common, add_store_option, open_existing_store
from rasid.errors import RasidError


def add_parsers(sub) -> None:
    p = sub.add_parser("users", help="accounts of the review loop: add a viewer, coder or admin (prints a token once), "
                                     "set a password, list them")
    users = p.add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help="add a user (or issue a new token to one) and print the token once",
                           description="Add a user, or issue a new API token to one (a password set before is kept), "
                                       "and print the token once. With --password the user can also log in from a "
                                       "browser (rasid serve --review).")
    add.add_argument("name")
    add.add_argument("--role", choices=("viewer", "coder", "admin"), default="coder")
    _password_options(add, "also set a password for logging in from a browser: asked twice on a terminal, "
                           "else read from the first line of stdin")
    add_store_option(add)
    add_common(add)
    add.set_defaults(run=run_users_add)

    pw = users.add_parser("passwd", help="set a user's password for logging in from a browser (ends their sessions)",
                          description="Set (or change) the password a user logs in with from a browser: asked twice "
                                      "on a terminal, else read from the first line of stdin. Ends the user's "
                                      "browser sessions.")
    pw.add_argument("name")
    _password_options(pw, None)
    add_store_option(pw)
    add_common(pw)
    pw.set_defaults(run=run_users_passwd)

    ls = users.add_parser("list", help="the users: names, roles, whether a password is set")
    add_store_option(ls)
    add_common(ls)
    ls.set_defaults(run=run_users_list)

    g = sub.add_parser("export-gold", help="write the reviewed documents as gold annotations (seeds_gold.json format)",
                       description="Write every document a coder reviewed, with its events as reviewed, in the "
                                   "format rasid eval and rasid train-events read.")
    g.add_argument("--db", default="out/rasid.sqlite", metavar="FILE", help="the store (default out/rasid.sqlite)")
    g.add_argument("--out", dest="gold_out", default="gold.json", metavar="FILE|DIR",
                   help="file to write (default gold.json); a folder gets gold.json and the articles (articles.jsonl): "
                        "a dev set for rasid train-events --extra-dev")
    add_common(g)
    g.set_defaults(run=run_export_gold)


def _password_options(p: argparse.ArgumentParser, password_help: str | None) -> None:
    if password_help:
        p.add_argument("--password", action="store_true", help=password_help)
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of stdin, even on a terminal (for scripts)")


def _read_password(args: argparse.Namespace) -> str:
    """The new password: from stdin's first line (--password-stdin, or stdin not a terminal), else asked twice."""
    if args.password_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
        if not password:
            raise RasidError("no password on stdin (one line is read)")
        return password
    first = getpass.getpass(f"new password for {args.name}: ")
    if getpass.getpass("again: ") != first:
        raise RasidError("the two passwords differ; nothing was changed")
    return first


def run_users_add(args: argparse.Namespace) -> int:
    from rasid.review import add_user

    with open_existing_store(args) as store:
        password = _read_password(args) if args.password or args.password_stdin else None
        token = add_user(store, args.name, args.role, password)
    print(f"{args.name.strip()} ({args.role}): {token}")  # noqa: T201
    print("keep it: it is shown once (only its hash is stored)")  # noqa: T201
    if password is not None:
        print("password set: log in at /login on rasid serve --review")  # noqa: T201
    return 0


def run_users_passwd(args: argparse.Namespace) -> int:
    from rasid.review import set_password

    with open_existing_store(args) as store:
        if not store.user_exists(args.name.strip()):
            raise RasidError(f"no user {args.name!r}; add one with rasid users add NAME --role ROLE")
        set_password(store, args.name, _read_password(args))
    if not args.quiet:
        print(f"password of {args.name.strip()} set; their browser sessions are ended")  # noqa: T201
    return 0


def run_users_list(args: argparse.Namespace) -> int:
    from rasid.review import list_users

    with open_existing_store(args) as store:
        users = list_users(store)
    if not users:
        print("no users; add one with rasid users add NAME --role coder --password")  # noqa: T201
        return 0
    width = max(len(u["name"]) for u in users)
    print(f"{'name':<{width}}  {'role':<6}  password  added")  # noqa: T201
    for u in users:
        added = datetime.fromtimestamp(u["created"]).strftime("%Y-%m-%d")
        print(f"{u['name']:<{width}}  {u['role']:<6}  {'yes' if u['password'] else 'no':<8}  {added}")  # noqa: T201
    return 0


def run_export_gold(args: argparse.Namespace) -> int:
    from rasid.review import export_gold

    out = Path(args.gold_out)
    folder = out.suffix != ".json"  # a folder: gold.json and the articles, a dev set for train-events --extra-dev
    with open_existing_store(argparse.Namespace(db=args.db, out=None)) as store:
        gold = export_gold(store)
        articles = [store.get_article(d) for d in gold["documents"]] if folder else []
    if folder:
        out.mkdir(parents=True, exist_ok=True)
        with (out / "articles.jsonl").open("w", encoding="utf-8") as f:
            for a in filter(None, articles):
                f.write(json.dumps({"id": a.doc_id, "text": a.text, "title": a.title, "outlet": a.outlet,
                                    "published": a.published}, ensure_ascii=False) + "\n")
        out = out / "gold.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if not getattr(args, "quiet", 0):
        print(f"wrote {out}: {len(gold['documents'])} reviewed documents, {len(gold['events'])} events")  # noqa: T201
    return 0
