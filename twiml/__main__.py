"""``python -m twiml validate FILE|-`` prints problems as JSON; exit 0 when valid, 1 when not."""

from __future__ import annotations

import argparse
import json
import sys

from .validator import is_valid, validate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m twiml", description="TwiML tools")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="validate a TwiML document")
    v.add_argument("file", help="path to the document, or - for stdin")
    v.add_argument("--kind", choices=("voice", "messaging"), default=None)
    v.add_argument("--inline", action="store_true", help="apply the 4000-character inline Twiml limit")
    args = parser.parse_args(argv)

    if args.file == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            with open(args.file, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            print(json.dumps({"error": str(exc)}), file=sys.stderr)
            return 2
    problems = validate(data, args.kind, inline=args.inline)
    valid = is_valid(problems)
    print(json.dumps({"valid": valid, "problems": [p.to_dict() for p in problems]}, indent=2))
    return 0 if valid else 1


if __name__ == "__main__":
    sys.exit(main())
