"""``make bench`` runs: a tiny data set, one short round, the figures printed and written. It
measures nothing (benchmarks print figures; no test asserts a time). Skipped without wrk."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from bench.run import ROOT


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk)")
def test_the_bench_builds_serves_measures_and_reports(tmp_path):
    out = tmp_path / "results.json"
    command = [sys.executable, "-m", "bench", "--duration", "1", "--rounds", "1", "--connections", "2"]
    command += ["--only", "api_list,page,rating_post", "--fresh", "--out", str(out)]
    env = {**os.environ, "BENCH_SCALE": "tiny"}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL"):  # SQLite in var/bench/, the bench's settings
        env.pop(name, None)
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
