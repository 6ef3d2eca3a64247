"""Entry point for `python -m tco`."""

from tco.cli import main

main()
