"""The ``threatledger`` command: a thin layer over the library. Each command group lives in its own module."""

from __future__ import annotations

import importlib
import sys

import click

from threatledger import __version__
from threatledger.errors import ThreatledgerError

# Modules that each define ``register(cli: click.Group) -> None``.
COMMAND_MODULES = (
    "threatledger.cli.extract",
    "threatledger.cli.ledger",
    "threatledger.cli.serve",
    "threatledger.cli.exports",
    "threatledger.cli.scale",
)


@click.group()
@click.version_option(__version__, prog_name="threatledger")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """threatledger: news in, a sourced ledger of state-sponsored and political violence out."""
    ctx.obj = {"debug": debug}


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(cli)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; errors raised on purpose print ``Error [Ennn]: ...`` and a hint, exit 1."""
    try:
        code = cli.main(args=argv, prog_name="threatledger", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        print("Aborted.", file=sys.stderr)
        return 1
    except ThreatledgerError as exc:
        if "--debug" in (argv if argv is not None else sys.argv):
            raise
        print(f"Error {exc}", file=sys.stderr)
        if exc.hint:
            print(f"Hint: {exc.hint}", file=sys.stderr)
        return 1
    except SystemExit as exc:
        return int(exc.code or 0)
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
