"""Shared fixtures: the bundled sample articles and a cleaner built from the shipped data."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "demo" / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The folder of bundled sample articles."""
    return SEEDS


@pytest.fixture(scope="session")
def cleaner():
    """A cleaner with the shipped rules and the language model."""
    from rasid.clean import Cleaner

    return Cleaner.from_data()


@pytest.fixture(scope="session")
def seed_text():
    """Return the text of a sample article by its number prefix ("001")."""

    def read(prefix: str) -> str:
        (path,) = SEEDS.glob(f"{prefix}_*.txt")
        return path.read_text(encoding="utf-8")

    return read


@pytest.fixture(scope="session")
def seeds_out(tmp_path_factory) -> Path:
    """The sample articles analysed once (all stages, views, report): the output folder, store inside."""
    from rasid.cli import main

    out = tmp_path_factory.mktemp("seeds_out")
    assert main(["analyze", str(SEEDS), "--meta", str(ROOT / "demo" / "meta.jsonl"), "--out", str(out), "-q"]) == 0
    return out
