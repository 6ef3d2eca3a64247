"""Data shipped with the package: `pricing/` and `scenarios/` are mapped here in the wheel."""
