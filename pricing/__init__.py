"""Price, GPU, model and serving tables; shipped in the wheel as `tco.bundled.pricing`."""
