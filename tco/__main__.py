"""Entry point for `python -m tco`."""

from tco.cli import run_program

run_program()
