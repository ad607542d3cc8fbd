"""Schemathesis against the published OpenAPI schema, every check on, as an admin: no
generated or mutated request (examples, coverage and fuzzing phases) causes a 5xx, and every
operation's schema loads and is tested.
The number of examples is bounded (ATELIER_SCHEMATHESIS_EXAMPLES, default 10) and the seed
fixed, so CI runs the same requests each time."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.server import ServerProcess
from tools.access import Role

pytestmark = pytest.mark.slow

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
EXAMPLES = os.environ.get("ATELIER_SCHEMATHESIS_EXAMPLES", "10")


def summary_counts(output: str, section: str) -> dict[str, int]:
    """``{"Server error": 2, …}`` from the run's summary section (Failures, Errors)."""
    match = re.search(rf"^{section}:\n((?:  .+\n)+)", output, re.MULTILINE)
    lines = match.group(1).splitlines() if match else []
    return {
        m.group(1): int(m.group(2))
        for line in lines
        if (m := re.match(r"\s+\S+\s+(.+?): (\d+)$", line))
    }


# schemathesis 4.15's positive_data_acceptance check raises its own error ("Unsupported type:
# 'bytes'") when a multipart body it generated (a reference image of random bytes) is refused:
# in the stateful phase that ends the phase early. That phase runs without that one check;
# the other phases keep every check.
RUNS = {
    "examples, coverage, fuzzing": ["--phases", "examples,coverage,fuzzing"],
    "stateful": ["--phases", "stateful", "--exclude-checks", "positive_data_acceptance"],
}


@pytest.mark.parametrize("phases", list(RUNS))
def test_generated_requests_never_cause_a_server_error(server: ServerProcess, phases: str) -> None:
    operations = sum(
        len(item) for item in httpx.get(f"{server.url}/openapi.json").json()["paths"].values()
    )
    token = server.token("ada", Role.ADMIN, ttl_s=3600)
    done = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            "all",
            *RUNS[phases],
            "--max-examples",
            EXAMPLES,
            "--seed",
            "1",
            "--no-color",
            "-H",
            f"Authorization: Bearer {token}",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = done.stdout + done.stderr
    failures = summary_counts(output, "Failures")
    # The conformance findings (status codes not yet documented, …) are printed for people;
    # a 5xx, an error of the run itself or a schema that cannot be loaded fails the test.
    print(output[-6000:])
    assert "Server error" not in failures, output
    assert summary_counts(output, "Errors") == {}, output
    if phases == "stateful":  # the state machine ran scenarios through the API's links
        assert re.search(r"Scenarios:\s+[1-9]", output), output
    else:
        assert f"Tested: {operations}" in output, output
    assert "Internal Server Error" not in server.log()
