"""Shared fixtures: the real bundled price book and a CLI runner."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tco.pricing.book import bundled_price_book


@pytest.fixture(scope="session")
def book():
    return bundled_price_book()


@pytest.fixture
def runner():
    return CliRunner()
