"""``python -m claimgraph.cli``: the command line without its console script."""

from claimgraph.cli import cli

cli(prog_name="claimgraph")
