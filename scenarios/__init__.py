"""Bundled scenarios and their data; shipped in the wheel as `tco.bundled.scenarios`."""
