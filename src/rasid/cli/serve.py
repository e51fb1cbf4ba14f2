"""``rasid serve [--db FILE] [--port N] [--review]``: the REST API and the dashboard over a store."""

from __future__ import annotations

import argparse
from pathlib import Path

from rasid.cli.common import DB_HELP, add_common, store_target
from rasid.errors import RasidError


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser("serve", help="serve the dashboard and the REST API (/api, docs at /docs) over a store",
                       description="Serve a store read-only: the dashboard at /, the JSON API under /api, "
                                   "its OpenAPI docs at /docs.")
    p.add_argument("--db", metavar="FILE|URL", help=DB_HELP)
    p.add_argument("--out", default="out", metavar="DIR", help="output folder whose store to serve (default: out)")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--review", action="store_true",
                   help="let coders correct events (POST /api/events/ID/review with a token from 'rasid users add')")
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``rasid serve``."""
    import uvicorn

    from rasid.store import is_url
    from rasid.web.app import create_app

    path = store_target(args)
    if not is_url(path) and not Path(path).exists():
        raise RasidError(f"no store at {path}; run 'rasid analyze PATH --out {args.out}' first, or name one with --db")
    app = create_app(path, review=args.review)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning" if args.quiet else "info")
    return 0
