"""Error types for mistakes in a user's input or data.

The library raises these; the CLI prints the message and exits non-zero
without a traceback. Every message names what was wrong and how to fix it.
"""


class TcoError(Exception):
    """Base of every error caused by a user's input or data files."""


class UnknownModelError(TcoError):
    """A model, GPU or provider name that no table contains."""


class DataFileError(TcoError):
    """A data file (price table, scenario, CSV) that is missing or invalid."""


class ScenarioError(DataFileError):
    """A scenario file with a missing or invalid field."""


class TemplateError(TcoError):
    """A prompt template that references a variable no data provides."""


class EncodingIntegrityError(TcoError):
    """A tokenizer encoding file whose sha256 differs from the published hash."""


class UsageError(TcoError):
    """Token counts that cannot describe a real request, such as more cached than input tokens."""
