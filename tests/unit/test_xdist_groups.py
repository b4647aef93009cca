"""Every test module that uses the shared tiny engine (or a fixture built on it) runs in its group, so the
engine starts once per session (a module left out would start a second engine on the other worker: ~30 s and
2 GB more)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import XDIST_GROUPS

TESTS = Path(__file__).resolve().parents[1]


def test_every_module_using_the_tiny_engine_is_in_its_group() -> None:
    users = {p.stem for p in TESTS.rglob("test_*.py") if p.stem != Path(__file__).stem
             and any(f in p.read_text() for f in ("tiny_engine", "tiny_reference_run", "vllm_server"))}
    group = set(XDIST_GROUPS["tiny-engine"])
    assert users and users <= group, f"add to XDIST_GROUPS['tiny-engine']: {sorted(users - group)}"
