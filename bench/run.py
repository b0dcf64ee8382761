"""``make bench``: build the data set, start the real server, drive it with wrk, print the figures.

Every endpoint is measured beside a bare Django view on the same server (``bench.views``), in three
interleaved rounds; the figures are medians over the rounds, with the machine's load average. The
results are also written to ``var/bench/results-<time>.json`` and ``var/bench/latest.json``.

Run ``python -m bench --help`` for the scale and duration flags; ``BENCH_SCALE`` picks a preset."""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
SCALES = {
    # tenders, residents, ratings, drafts (the pool the mixed load publishes)
    "tiny": (60, 200, 50, 200),
    "small": (2_000, 5_000, 1_000, 3_000),
    "district": (2_000, 5_000, 5_000, 5_000),
    "city": (50_000, 50_000, 50_000, 5_000),
}
INSTALL_WRK = "wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu) or `brew install wrk` (macOS)."
# Each endpoint: server ("cached" = the product as deployed, "uncached" = with SHEQU_PUBLIC_CACHE=0),
# lua script, path, and the bare view it is divided by.
ENDPOINTS: dict[str, dict[str, str]] = {
    "bare_json": {"server": "cached", "script": "get", "path": "/bench/bare-json/"},
    "api_list": {
        "server": "cached",
        "script": "get",
        "path": "/api/v1/tenders/?page_size=50",
        "ref": "bare_json",
    },
    "page": {"server": "cached", "script": "get", "path": "/tenders/", "ref": "bare_json"},
    "mixed_api_list": {
        "server": "cached",
        "script": "mixed",
        "path": "/api/v1/tenders/?page_size=50",
        "ref": "bare_json",
    },
    "mixed_page": {"server": "cached", "script": "mixed", "path": "/tenders/", "ref": "bare_json"},
    "api_list_uncached": {
        "server": "uncached",
        "script": "get",
        "path": "/api/v1/tenders/?page_size=50",
        "ref": "bare_json",
    },
    "page_uncached": {"server": "uncached", "script": "get", "path": "/tenders/", "ref": "bare_json"},
    "bare_insert": {"server": "cached", "script": "insert", "path": "/bench/bare-insert/"},
    "rating_post": {"server": "cached", "script": "rating", "path": "/api/v1/ratings/", "ref": "bare_insert"},
}

LUA_COMMON = r"""
local counter = 0
local offset = 0
local threads = {}
local nthreads = 0
function setup(thread)
  nthreads = nthreads + 1
  thread:set("id", nthreads - 1)
  table.insert(threads, thread)
end
local start = 0
function init(args)
  start = tonumber(args[1] or "0")
  offset = start + id * 1000003
end
local function client()
  counter = counter + 1
  local n = offset + counter
  return "10." .. (math.floor(n / 65536) % 256) .. "." .. (math.floor(n / 256) % 256) .. "." .. (n % 256)
end
function done(summary, latency, requests)
  io.write("BENCH " .. string.format(
    '{"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, "p50_us": %d, "p99_us": %d}',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)) .. "\n")
end
"""

LUA = {
    "get": LUA_COMMON
    + r"""
function request()
  return wrk.format("GET", nil, {["X-Forwarded-For"] = client(), ["Accept-Encoding"] = "gzip"})
end
""",
    "insert": LUA_COMMON
    + r"""
function request()
  return wrk.format("POST", nil, {["X-Forwarded-For"] = client()}, "")
end
""",
    # one resident per request (rotating tokens), each rating the bathing contract once
    "rating": LUA_COMMON
    + r"""
local manifest = dofile(os.getenv("BENCH_MANIFEST_LUA"))
local tokens = manifest.resident_tokens
local body = '{"contract": ' .. manifest.rating_contract .. ', "satisfaction": 5, "resolved": "yes"}'
local sent = 0
function request()
  sent = sent + 1
  local index = (start + id + (sent - 1) * nthreads_run) % #tokens + 1
  return wrk.format("POST", nil, {
    ["X-Forwarded-For"] = client(),
    ["Authorization"] = "Token " .. tokens[index],
    ["Content-Type"] = "application/json",
  }, body)
end
""",
    # nine reads of the list, then one transition: the officer publishes the next draft
    "mixed": LUA_COMMON
    + r"""
local manifest = dofile(os.getenv("BENCH_MANIFEST_LUA"))
local pool = manifest.draft_pool
local token = manifest.officer_token
local reads = 0
local published = 0
function request()
  reads = reads + 1
  if reads % 10 == 0 then
    published = published + 1
    local index = (start + id + (published - 1) * nthreads_run) % #pool + 1
    return wrk.format("POST", "/api/v1/tenders/" .. pool[index] .. "/publish/", {
      ["X-Forwarded-For"] = client(),
      ["Authorization"] = "Token " .. token,
      ["Content-Type"] = "application/json",
    }, "{}")
  end
  return wrk.format("GET", nil, {["X-Forwarded-For"] = client(), ["Accept-Encoding"] = "gzip"})
end
""",
}


def parse(argv: list[str]) -> argparse.Namespace:
    scale = os.environ.get("BENCH_SCALE", "small")
    if scale not in SCALES:
        raise SystemExit(f"BENCH_SCALE must be one of {', '.join(SCALES)}")
    tenders, residents, ratings, drafts = SCALES[scale]
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--tenders", type=int, default=tenders)
    parser.add_argument("--residents", type=int, default=residents)
    parser.add_argument("--ratings", type=int, default=ratings, help="ratings already given (≤ residents)")
    parser.add_argument("--drafts", type=int, default=drafts, help="drafts for the mixed load to publish")
    parser.add_argument(
        "--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "5")), help="s per run"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated endpoints (default: all)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the data set from nothing")
    parser.add_argument(
        "--var", type=Path, default=VAR, help="the folder of the data sets and results (default var/bench)"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="results JSON (default <var>/results-<time>.json)"
    )
    args = parser.parse_args(argv)
    args.scale = scale
    args.ratings = min(args.ratings, args.residents)
    return args


def bench_database_url(fresh: bool, data_dir: Path) -> str:
    """SQLite in var/bench/, or, when DATABASE_URL names PostgreSQL, a dedicated ``<name>_bench``
    database on the same server (created when missing), never the application's own."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        path = data_dir / "bench.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            shutil.rmtree(data_dir / "public-cache", ignore_errors=True)  # answers of the old data
        return f"sqlite:///{path}"
    import psycopg  # the product's PostgreSQL driver

    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    bench_name = f"{name}_bench"
    with psycopg.connect(url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bench_name]).fetchone()
        if exists and fresh:
            connection.execute(f'DROP DATABASE "{bench_name}"')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{bench_name}"')
    if fresh:
        shutil.rmtree(data_dir / "public-cache", ignore_errors=True)  # answers of the old data
    return f"{base}/{bench_name}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], workers: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "config.wsgi", "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{port}"]
    command += ["--no-control-socket", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(480):  # up to two minutes on a busy machine
        try:
            urllib.request.urlopen(f"{base}/bench/bare-json/", timeout=5).read()
            return process, base
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {log}") from None
            time.sleep(0.25)
    raise SystemExit(f"gunicorn did not answer; see {log}")


def run_wrk(
    args: argparse.Namespace, base: str, endpoint: dict[str, str], env: dict[str, str], start: int
) -> dict[str, Any]:
    script = Path(env["BENCH_MANIFEST_LUA"]).parent / f"{endpoint['script']}.lua"
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "30s"]
    command += ["-s", str(script), base + endpoint["path"], "--", str(start)]
    load = os.getloadavg()[0]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk failed: {result.stdout}\n{result.stderr}")
    figures: dict[str, Any] = json.loads(line[6:])
    seconds = figures["duration_us"] / 1e6
    return {
        "rps": figures["requests"] / seconds,
        "p50_ms": figures["p50_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "requests": figures["requests"],
        "non2xx": figures["non2xx"],
        "socket_errors": figures["socket_errors"],
        "load1": load,
    }


def write_lua(manifest: dict[str, Any], threads: int, folder: Path) -> None:
    def lua_value(value: Any) -> str:
        if isinstance(value, list):
            return "{" + ",".join(lua_value(v) for v in value) + "}"
        if isinstance(value, str):
            return json.dumps(value)
        return str(value)

    keys = ("resident_tokens", "rating_contract", "officer_token", "draft_pool")
    body = ",\n".join(f"  {key} = {lua_value(manifest[key])}" for key in keys)
    (folder / "manifest.lua").write_text(f"return {{\n{body}\n}}\n")
    for name, source in LUA.items():
        (folder / f"{name}.lua").write_text(f"local nthreads_run = {threads}\n" + source)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if shutil.which("wrk") is None:
        print(INSTALL_WRK, file=sys.stderr)
        return 2
    names = [n for n in (args.only.split(",") if args.only else ENDPOINTS) if n]
    unknown = set(names) - set(ENDPOINTS)
    if unknown:
        raise SystemExit(f"unknown endpoints: {', '.join(sorted(unknown))}")
    for name in list(names):  # each figure needs its bare view
        ref = ENDPOINTS[name].get("ref")
        if ref and ref not in names:
            names.insert(0, ref)
    data_dir = args.var / f"data-t{args.tenders}-r{args.residents}-k{args.ratings}"
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SHEQU_VAR_DIR": str(data_dir),
        "DATABASE_URL": bench_database_url(args.fresh, data_dir),
        "BENCH_MANIFEST_LUA": str(data_dir / "manifest.lua"),
    }
    env.pop("CELERY_BROKER_URL", None)  # tasks run in the request, as they would without a worker
    python = sys.executable
    print(f"bench: data set in {env['DATABASE_URL'].split('@')[-1]} …", flush=True)
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    build = (
        "import django, json, pathlib; django.setup(); from bench.dataset import build; "
        f"m = build(tenders={args.tenders}, residents={args.residents}, ratings={args.ratings}, "
        f"drafts={args.drafts}, out=pathlib.Path({str(data_dir / 'manifest.json')!r})); "
        "print(json.dumps({k: v for k, v in m.items() if not isinstance(v, list)}))"
    )
    started = time.monotonic()
    built = subprocess.run(
        [python, "-c", build], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    dataset = json.loads(built.stdout.strip().splitlines()[-1])
    dataset.pop("officer_token", None)
    print(f"bench: data set ready in {time.monotonic() - started:.0f} s: {dataset}", flush=True)
    manifest = json.loads((data_dir / "manifest.json").read_text())
    write_lua(manifest, args.threads, data_dir)

    servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    log = data_dir / "gunicorn.log"
    try:
        servers["cached"] = start_server(env, args.workers, log)
        if any(ENDPOINTS[n]["server"] == "uncached" for n in names):
            servers["uncached"] = start_server({**env, "SHEQU_PUBLIC_CACHE": "0"}, args.workers, log)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
        # each load script's position in its tokens, drafts and addresses: shared by the endpoints
        # using the script, so that no draft is published twice and no household rates twice
        starts = dict.fromkeys(LUA, 0)
        for round_ in range(1, args.rounds + 1):
            for name in names:
                endpoint = ENDPOINTS[name]
                script = endpoint["script"]
                figures = run_wrk(args, servers[endpoint["server"]][1], endpoint, env, starts[script])
                starts[script] += figures["requests"] + args.connections
                runs[name].append(figures)
                print(
                    f"  round {round_} {name:<18} {figures['rps']:8.1f} req/s"
                    f"  p50 {figures['p50_ms']:7.1f} ms"
                    f"  non-2xx {figures['non2xx']:<5} load {figures['load1']:.2f}",
                    flush=True,
                )
    finally:
        for process, _ in servers.values():
            process.send_signal(signal.SIGTERM)
        for process, _ in servers.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    results = summarise(runs)
    report = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            "host": platform.node(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "database": dataset["vendor"],
            "load_average_at_end": os.getloadavg(),
        },
        "settings": {
            "scale": args.scale,
            "duration_s": args.duration,
            "connections": args.connections,
            "threads": args.threads,
            "workers": args.workers,
            "rounds": args.rounds,
        },
        "dataset": dataset,
        "results": results,
        "runs": runs,
    }
    print_table(report)
    out = args.out or args.var / f"results-{report['when'].replace(':', '')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    if args.out is None:
        (args.var / "latest.json").write_text(json.dumps(report, indent=2))
    print(f"bench: results in {out}")
    return 0


def summarise(runs: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for name, figures in runs.items():
        results[name] = {
            "rps": round(statistics.median(f["rps"] for f in figures), 1),
            "p50_ms": round(statistics.median(f["p50_ms"] for f in figures), 1),
            "p99_ms": round(statistics.median(f["p99_ms"] for f in figures), 1),
            "non2xx": sum(f["non2xx"] for f in figures),
            "requests": sum(f["requests"] for f in figures),
            "load1": round(statistics.median(f["load1"] for f in figures), 2),
        }
    for name, result in results.items():
        ref = ENDPOINTS[name].get("ref")
        if ref in results and results[ref]["rps"]:
            result["ratio"] = round(result["rps"] / results[ref]["rps"], 3)
            result["ref"] = ref
    return results


def print_table(report: dict[str, Any]) -> None:
    machine, settings, dataset = report["machine"], report["settings"], report["dataset"]
    print()
    wrk = f"wrk -t{settings['threads']} -c{settings['connections']} -d{settings['duration_s']}s"
    print(
        f"{report['when']}  {machine['cpus']} CPUs, {machine['database']}, gunicorn -w {settings['workers']} "
        f"sync, {wrk} × {settings['rounds']} rounds"
    )
    print(
        f"data: {dataset['tenders']} tenders ({dataset['public_tenders']} public), "
        f"{dataset['residents']} residents, {dataset['contracts']} contracts, {dataset['ratings']} ratings"
    )
    header = f"{'endpoint':<20}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}  {'÷':<12}"
    print(f"{header}{'non-2xx':>8}{'load1':>7}")
    for name, r in report["results"].items():
        ratio = f"{r['ratio']:.3f}" if "ratio" in r else "—"
        print(
            f"{name:<20}{r['rps']:>9.1f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{ratio:>8}"
            f"  {r.get('ref', ''):<12}{r['non2xx']:>8}{r['load1']:>7.2f}"
        )
