#!/usr/bin/env python3
"""Proves the Grafana dashboards against a real Prometheus.

Starts the embedded default (./simclr up) unless it runs already, starts Prometheus (Debian's `prometheus`)
scraping the four services every 2 s, submits a small experiment that touches every stage
(check-experiment.json), waits for it to finish, then evaluates every PromQL query of every dashboard in
deploy/grafana/dashboards over the experiment's time window, as Grafana would (a range query), and prints one line
per query with the number of series it returned. Exit status 1 if any query returned no data.

    deploy/prometheus/check-dashboards.py [--keep]     # --keep: leave Prometheus and the stack running
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVICES = ["eval-service", "augment-service", "trainer-service", "distill-service"]
PROM = "127.0.0.1:9099"   # not 9090: leave that to a Prometheus the user may run
SCRAPE = "2s"


def http_port(service):
    base = os.environ.get("SIMCLR_HTTP_PORT_BASE")   # the embedded stack's own setting, if moved
    if base:
        return int(base) + SERVICES.index(service)
    props = (ROOT / service / "src/main/resources/application.properties").read_text()
    return int(re.search(r"^quarkus\.http\.port=(\d+)", props, re.M).group(1))


def simclr(*args, check=True):
    print("$ ./simclr " + " ".join(args), flush=True)
    return subprocess.run([str(ROOT / "simclr"), *args], cwd=ROOT, check=check)


def get(path, **params):
    url = f"http://{PROM}{path}?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)


def wait(what, ok, timeout):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if ok():
                return
        except OSError:
            pass
        time.sleep(1)
    sys.exit(f"timed out waiting for {what}")


def queries():
    for f in sorted((ROOT / "deploy/grafana/dashboards").glob("*.json")):
        d = json.loads(f.read_text())
        for panel in d["panels"]:
            for t in panel.get("targets", []):
                yield d["title"], panel["title"], t["expr"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", action="store_true", help="leave Prometheus and the stack running")
    args = ap.parse_args()
    if not shutil.which("prometheus"):
        sys.exit("prometheus is not installed: sudo apt-get install prometheus")

    started_stack = subprocess.run([str(ROOT / "simclr"), "status"], cwd=ROOT,
                                   capture_output=True).returncode != 0
    if started_stack:
        simclr("up")
    simclr("import", "fashion-mnist", check=False)

    work = pathlib.Path(tempfile.mkdtemp(prefix="simclr-prom-"))
    targets = [f"127.0.0.1:{http_port(s)}" for s in SERVICES]
    (work / "prometheus.yml").write_text(
        "global: {scrape_interval: %s, evaluation_interval: %s}\n" % (SCRAPE, SCRAPE)
        + "scrape_configs:\n  - job_name: simclr\n    metrics_path: /q/metrics\n"
        + "    static_configs: [{targets: %s}]\n" % json.dumps(targets))
    log = open(work / "prometheus.log", "w")
    prom = subprocess.Popen(["prometheus", f"--config.file={work / 'prometheus.yml'}",
                             f"--storage.tsdb.path={work / 'data'}", f"--web.listen-address={PROM}"],
                            stdout=log, stderr=subprocess.STDOUT)
    failed = []
    try:
        wait("Prometheus to scrape all four services", lambda: sum(
            t["health"] == "up" for t in get("/api/v1/targets")["data"]["activeTargets"]) == len(targets), 120)
        print(f"Prometheus {PROM} scrapes {', '.join(targets)} every {SCRAPE}", flush=True)
        start = time.time() - 10
        experiment = "dashboards-check-%d" % int(start)
        simclr("submit", str(ROOT / "deploy/prometheus/check-experiment.json"), "--id", experiment, "--follow")
        time.sleep(6)  # the last scrapes after the experiment's end
        end = time.time()
        window = f"{int(end - start)}s"
        print(f"\nevery dashboard query over the experiment's {window}, as a Grafana range query (step 5 s):")
        for dash, panel, expr in queries():
            q = expr.replace("$__rate_interval", "30s").replace("$__range", window)
            r = get("/api/v1/query_range", query=q, start=start, end=end, step=5)
            series = [s for s in r["data"]["result"]
                      if any(v[1] not in ("NaN", "+Inf", "-Inf") for v in s["values"])]
            status = "ok" if series else "NO DATA"
            print(f"  {status:8} {len(series):3} series  {dash} / {panel}: {q}")
            if not series:
                failed.append(f"{dash} / {panel}")
    finally:
        if not args.keep:
            prom.terminate()
            prom.wait(30)
            if started_stack:
                simclr("down", check=False)
    if failed:
        print(f"\n{len(failed)} queries returned no data: {failed}")
        return 1
    print(f"\nall {sum(1 for _ in queries())} queries returned data")
    return 0


if __name__ == "__main__":
    sys.exit(main())
