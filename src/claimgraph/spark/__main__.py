"""``python -m claimgraph.spark analyze ...``: the entry point for ``spark-submit`` (the
``claimgraph spark`` commands, with the command line's one-line error handling)."""

import sys

from claimgraph.cli import cli

cli.main(args=["spark", *sys.argv[1:]], prog_name="claimgraph")
