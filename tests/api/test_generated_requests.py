"""Generated requests over the whole API, as a hostile client would send them: schemathesis
reads `/api/schema/` and sends schema-valid and schema-violating requests to every operation of
a real server (uvicorn, a throwaway database on this run's engine, Redis when configured), once
anonymously and once with the token of each of two tenants of each kind, with every check on:
no server error, every status and body as documented, bad input refused, good input accepted.

A fixed seed and a bounded number of examples per operation keep a run repeatable; a failure
prints the requests that reproduce it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.fuzz_seed import ACCOUNTS

CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = 20261201
EXAMPLES_PER_OPERATION = 10
RUN_TIMEOUT_S = 600
NOISE = re.compile(r" (WARNING|DEBUG|INFO) ")


@pytest.mark.parametrize("role", ["anonymous", *ACCOUNTS])
def test_generated_requests_find_no_fault(platform, role, tmp_path):
    server, tokens = platform
    auth = [] if role == "anonymous" else ["--header", f"Authorization: Token {tokens[role]}"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(CONFIG),
            "--no-color",
            "run",
            f"{server.url}/api/schema/",
            *auth,
            "--checks",
            "all",
            "--seed",
            str(SEED),
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--workers",
            "1",
        ],
        cwd=tmp_path,  # where schemathesis writes its own cache
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    # The server's own account of errors (tracebacks), without its routine 4xx lines.
    log = server.log_path.read_text(errors="replace").splitlines()
    errors = [line for line in log if not NOISE.search(line)][-300:]
    assert result.returncode == 0, (
        f"schemathesis as {role} (exit {result.returncode}):\n{result.stdout[-12000:]}"
        f"\n{result.stderr[-3000:]}\nserver errors:\n" + "\n".join(errors)
    )
