"""The `wengert` command line.

Each feature module contributes its subcommands through `register(subparsers)`;
this file only assembles them, so adding a command never touches another's code.
A handler returns the process exit code.  Bad input (an expression outside the
accepted language, a missing value) prints one line on stderr and exits with 2,
as argparse does for a malformed command line.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from ..core import WengertError

COMMAND_MODULES = ("wengert.explain.commands", "wengert.explain.numeric_commands")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="wengert", description="Automatic differentiation with the machinery visible.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv=None):
    """Run the command line; returns the exit code (0 ok, 1 a check failed, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(_protect_expressions(sys.argv[1:] if argv is None else list(argv)))
    try:
        return args.handler(args)
    except WengertError as e:
        print(f"wengert {args.command}: error: {e}", file=sys.stderr)
        return 2


def _protect_expressions(argv):
    """An expression that starts with a minus (`-x**2`) would read as an option; one that
    cannot be an option (it has an operator, a bracket or a space) gets a leading space,
    which the expression parser ignores."""
    return [" " + a if a.startswith("-") and any(c in a for c in "*/+()^ .") and "=" not in a
            and not a.lstrip("-").replace(".", "").isdigit() else a for a in argv]


if __name__ == "__main__":
    sys.exit(main())
