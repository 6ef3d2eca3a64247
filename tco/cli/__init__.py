"""The `tco` command line: a thin click layer over the library."""

from __future__ import annotations

import click

from tco import __version__
from tco.errors import TcoError


class TcoGroup(click.Group):
    """A click group that prints library errors as one message and exits 1, without a traceback."""

    def invoke(self, ctx: click.Context):
        from tco.pricing.book import use_overrides, use_pricing_dir

        try:
            return super().invoke(ctx)
        except TcoError as error:
            raise click.ClickException(str(error)) from error
        finally:
            # --pricing-dir and --pricing hold for one command; a later call in the same process starts clean.
            use_pricing_dir(None)
            use_overrides(None)


@click.group(cls=TcoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tco")
@click.option("-v", "--verbose", count=True, help="Log progress to stderr (-v info, -vv debug).")
def main(verbose: int) -> None:
    """Model what each way of running an LLM workload costs per month.

    Compare hosted APIs with long prompts, retrieval (RAG), hosted fine-tuning
    and self-hosted LoRA adapters on real token counts and dated prices.
    """
    # logging is imported here, not at module level, because it costs a third of `tco --help`'s start-up.
    import logging

    levels = {0: logging.WARNING, 1: logging.INFO}
    level = levels.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _register() -> None:
    from tco.cli import chart, cost, gpu, limits, pricing, project, report, run, scenarios, sensitivity, sweep, tokens

    main.add_command(run.run)
    main.add_command(scenarios.scenarios)
    main.add_command(tokens.tokens)
    main.add_command(cost.cost)
    main.add_command(pricing.pricing)
    main.add_command(gpu.gpu)
    main.add_command(limits.limits)
    main.add_command(sweep.sweep)
    main.add_command(project.project)
    main.add_command(sensitivity.sensitivity)
    main.add_command(chart.chart)
    main.add_command(report.report)


_register()


def run_program() -> None:
    """Run `tco` as a program: the command, then a process exit that skips freeing memory.

    Python frees every object at exit. For the two tokenizer tables of a
    scenario run (200,000 and 100,000 entries in tiktoken's Rust core) that
    takes about 0.2 s, a sixth of the whole run. The exit handlers still
    run and the output streams are flushed first, so nothing written is lost.
    NOTE: a file a command leaves open (outside a `with` block) is not
    flushed; commands write their files in `with` blocks.
    """
    import atexit
    import os
    import sys

    try:
        main()
        code = 0
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            code = stop.code or 0
        else:
            print(stop.code, file=sys.stderr)
            code = 1
    # Run what was registered with atexit (logging's flush among it), as a normal exit would.
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a reader that closed the pipe early (`tco ... | head`) already has what it wanted
    os._exit(code)
