"""Run a scenario over a grid of input values and tabulate each deployment's monthly cost."""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from tco import datafiles
from tco.analysis.run import evaluate
from tco.datafiles import parse_yaml
from tco.errors import ScenarioError
from tco.scenario import LoadedScenario, Scenario, find_scenario


@dataclass(frozen=True)
class Parameter:
    """A scenario field, named by its dotted path (list items by index), and the values to try."""

    path: tuple[str | int, ...]
    values: tuple
    text: str


_SCALED = re.compile(r"([0-9]*\.?[0-9]+)([kKmMbB])")
_SCALES = {"k": 1e3, "m": 1e6, "b": 1e9}


def _value(text: str):
    """Parse a number where the text is one (1e6 and 3M included), else YAML.

    YAML 1.1 reads 1e6 as a string, and 3M, as --volume writes volumes, is
    read as 3,000,000 here too.
    """
    text = text.strip()
    for number_type in (int, float):
        try:
            return number_type(text)
        except ValueError:
            continue
    scaled = _SCALED.fullmatch(text)
    if scaled:
        value = float(scaled.group(1)) * _SCALES[scaled.group(2).lower()]
        return int(value) if value.is_integer() else value
    return parse_yaml(text)


def parse_parameter(text: str) -> Parameter:
    """Parse `PATH=V1,V2,...`, such as `workload.requests_per_month=1e6,3e6` or `deployments.3.lora_rank=8,16`."""
    if "=" not in text:
        raise ScenarioError(f"--param {text!r} is not PATH=VALUES, e.g. workload.requests_per_month=1e6,3e6")
    path_text, values_text = text.split("=", 1)
    path = tuple(int(part) if part.isdigit() else part for part in path_text.strip().split("."))
    values = tuple(_value(value) for value in values_text.split(",") if value.strip())
    if not values:
        raise ScenarioError(f"--param {text!r} lists no values")
    return Parameter(path, values, path_text.strip())


def set_field(document: dict, path: tuple, value, label: str) -> None:
    """Set one field of a scenario document in place; the path must already exist."""
    node = document
    for position, key in enumerate(path):
        last = position == len(path) - 1
        try:
            if last:
                if isinstance(key, int):
                    node[key] = value
                elif key in node:
                    node[key] = value
                else:
                    raise KeyError(key)
            else:
                node = node[key]
        except (KeyError, IndexError, TypeError) as error:
            raise ScenarioError(
                f"--param {label}: the scenario has no field {'.'.join(map(str, path[: position + 1]))}"
            ) from error


def unshared(document):
    """Copy a YAML document so that no two places share one object.

    YAML anchors (`&training` ... `*training`) load as one shared object, so
    setting a field through one path would also change every alias of it.
    """
    return json.loads(json.dumps(document, default=str))


def sweep_results(scenario: str, parameters: list[Parameter]):
    """Yield the evaluated scenario for every combination of parameter values, in grid order."""
    path = find_scenario(scenario)
    document = unshared(datafiles.read_yaml(path, ScenarioError))
    for combination in itertools.product(*(parameter.values for parameter in parameters)):
        changed = copy.deepcopy(document)
        for parameter, value in zip(parameters, combination):
            set_field(changed, parameter.path, value, parameter.text)
        try:
            scenario_model = datafiles.validate(Scenario, changed, path, ScenarioError)
        except ScenarioError as error:
            settings = ", ".join(f"{parameter.text}={value!r}" for parameter, value in zip(parameters, combination))
            detail = str(error).split("\n", 1)[-1].strip()
            raise ScenarioError(f"--param {settings} is not a valid value here: {detail}") from error
        loaded = LoadedScenario(scenario=scenario_model, path=path)
        yield evaluate(loaded, break_even=False)


def sweep(scenario: str, parameters: list[Parameter], on_step: Callable[[], None] | None = None) -> list[dict]:
    """Evaluate every combination of parameter values; one row per combination and deployment."""
    rows = []
    combinations = itertools.product(*(parameter.values for parameter in parameters))
    for combination, result in zip(combinations, sweep_results(scenario, parameters)):
        settings = {parameter.text: value for parameter, value in zip(parameters, combination)}
        for row in result.deployment_rows():
            rows.append(
                {
                    **settings,
                    "deployment": row["name"],
                    "kind": row["kind"],
                    "volume_requests_per_month": result.volume,
                    "monthly_usd": row["monthly_usd"],
                    "usd_per_request": row["usd_per_request"],
                }
            )
        if on_step is not None:
            on_step()
    return rows
