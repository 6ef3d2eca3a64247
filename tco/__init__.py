"""tco: LLM cost and token economics simulator."""

__version__ = "0.1.0"
