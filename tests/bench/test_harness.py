"""``make bench`` runs: a tiny data set, one short round, the figures printed and written — in the
test's own folder, never var/bench. It measures nothing (benchmarks print figures; no test asserts
a time), so it runs once: skipped without wrk, and in the pass with the clock moved to the evening
(``SHEQU_FROZEN_CLOCK``, ``make pytest-evening``), whose clock the bench's server never sees."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.run import ROOT


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk)")
@pytest.mark.skipif(
    bool(os.environ.get("SHEQU_FROZEN_CLOCK")), reason="measured once, in the pass at the real time"
)
def test_the_bench_builds_serves_measures_and_reports(tmp_path):
    out = tmp_path / "results.json"
    command = [sys.executable, "-m", "bench", "--duration", "1", "--rounds", "1", "--connections", "2"]
    command += ["--only", "api_list,page,rating_post", "--fresh", "--var", str(tmp_path), "--out", str(out)]
    env = {**os.environ, "BENCH_SCALE": "tiny"}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL"):  # SQLite in tmp_path, the bench's settings
        env.pop(name, None)
    before = _listing(ROOT / "var" / "bench")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(out.read_text())
    assert set(report["results"]) == {"bare_json", "api_list", "page", "bare_insert", "rating_post"}
    for name, figures in report["results"].items():
        assert figures["requests"] > 0, name
    assert report["results"]["api_list"]["non2xx"] == 0
    assert report["results"]["rating_post"]["ref"] == "bare_insert"
    assert report["dataset"]["public_tenders"] > 0 and report["machine"]["cpus"]
    assert "api_list" in result.stdout and "req/s" in result.stdout
    assert any(tmp_path.glob("data-*/bench.sqlite3")) and not (tmp_path / "latest.json").exists()
    assert _listing(ROOT / "var" / "bench") == before  # nothing written in the repository's var/bench


def _listing(folder: Path) -> set[Path]:
    return set(folder.rglob("*")) if folder.exists() else set()
