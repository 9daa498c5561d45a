"""Every parser of untrusted input, fuzzed (issue 17): only claimgraph's own errors, and
well-formed results.  benchmarks/fuzz.py runs the same targets for longer."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_targets import SEEDS, TARGETS, mutate, run, warc_seed

CUTS = st.lists(
    st.tuples(st.integers(0, 5000), st.integers(0, 40), st.binary(max_size=24)), max_size=4
)


@pytest.mark.parametrize("name", sorted(TARGETS))
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=600))
def test_fuzz_random_bytes(name: str, data: bytes) -> None:
    run(name, data)


@pytest.mark.parametrize("name", sorted(TARGETS))
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(choice=st.integers(0, 10), cuts=CUTS)
def test_fuzz_mutated_seeds(name: str, choice: int, cuts: list[tuple[int, int, bytes]]) -> None:
    seeds = SEEDS.get(name) or [warc_seed()]
    run(name, mutate(seeds[choice % len(seeds)], cuts))
