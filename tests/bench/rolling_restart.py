#!/usr/bin/env python3
"""Rolling restart under load; run through rolling_restart.sh, which builds the binaries.

Three Switchyard replicas share one PostgreSQL database and Redis behind HAProxy, which checks
/health/readiness every 500 ms. A client with a virtual key sends requests at a steady rate,
half streamed and half whole, each on a new connection. Each replica in turn gets SIGTERM and is
started again (a rolling update), then replica 0 is killed with SIGKILL and started again (its
spend journal is written at start). Every request is attributed to the phase it started in.
At the end the replicas stop, and the script checks that every successful request is in
spend_requests exactly once, that the key's stored spend equals the sum of its rows, and that
the key's budget counter in Redis equals that spend (the killed replica's reservations given
back).
Standard library only.
"""

import argparse
import http.client
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

MASTER = "sk-rolling-0123456789abcdef0123456789abcdef"
REDIS_DB = "14"


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def psql(db, sql):
    return sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-Atc", sql).strip()


def call(port, method, path, body=None, key=MASTER, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheader("x-request-id"), response.read()
    finally:
        conn.close()


def wait_ready(port, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if call(port, "GET", "/health/readiness", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"replica on port {port} never became ready")


class Replica:
    def __init__(self, index, args, work, env):
        self.index, self.args, self.work, self.env = index, args, work, env
        self.port = args.base_port + 1 + index
        self.proc = None

    def start(self):
        env = dict(self.env)
        env["SWITCHYARD_LISTEN"] = f"127.0.0.1:{self.port}"
        env["SWITCHYARD_DATA_DIR"] = os.path.join(self.work, f"r{self.index}")
        log = open(os.path.join(self.work, f"r{self.index}.log"), "a")
        self.proc = subprocess.Popen(
            [os.path.join(self.args.bin_dir, "switchyard"), "--config",
             os.path.join(self.work, "switchyard.toml"), "serve"],
            env=env, stdout=log, stderr=log)

    def stop(self, sig, timeout=60):
        self.proc.send_signal(sig)
        self.proc.wait(timeout=timeout)

    def log(self):
        with open(os.path.join(self.work, f"r{self.index}.log")) as f:
            return f.read()


class Client:
    """A steady rate of requests from a pool of workers; each result is kept."""

    def __init__(self, port, key, rate, workers=16):
        self.port, self.key, self.rate = port, key, rate
        self.tickets = queue.Queue()
        self.results = []
        self.lock = threading.Lock()
        self.phase = "warm-up"
        self.running = True
        self.threads = [threading.Thread(target=self.work, daemon=True) for _ in range(workers)]
        self.pacer = threading.Thread(target=self.pace, daemon=True)

    def start(self):
        for t in self.threads:
            t.start()
        self.pacer.start()

    def pace(self):
        n, begun = 0, time.time()
        while self.running:
            self.tickets.put((n % 2 == 0, self.phase))
            n += 1
            time.sleep(max(0.0, begun + n / self.rate - time.time()))
        for _ in self.threads:
            self.tickets.put(None)

    def work(self):
        while True:
            ticket = self.tickets.get()
            if ticket is None:
                return
            stream, phase = ticket
            body = {"model": "granite", "messages": [{"role": "user", "content": "hi"}]}
            if stream:
                body["stream"] = True
            started = time.time()
            try:
                status, request_id, data = call(self.port, "POST", "/v1/chat/completions", body, self.key)
                text = data.decode("utf-8", "replace")
                ok = status == 200 and (("data: [DONE]" in text) if stream else ('"choices"' in text))
                error = None if ok else f"{status}: {text[:200]}"
            except (OSError, http.client.HTTPException) as e:
                status, request_id, ok, error = None, None, False, repr(e)
            with self.lock:
                self.results.append({
                    "phase": phase, "stream": stream, "ok": ok, "status": status,
                    "request_id": request_id, "error": error,
                    "started": started, "ended": time.time()})

    def stop(self):
        self.running = False
        self.pacer.join()
        for t in self.threads:
            t.join(timeout=120)


def haproxy_config(args, replicas):
    servers = "\n".join(
        f"    server r{r.index} 127.0.0.1:{r.port} check inter 500ms fall 2 rise 2" for r in replicas)
    return f"""global
    maxconn 4000
defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    retries 3
    option redispatch
    # A connection refused, or closed before any answer (a keep-alive connection the replica
    # was closing): the request never reached it, so another replica may take it.
    retry-on conn-failure empty-response
frontend api
    bind 127.0.0.1:{args.base_port}
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk GET /health/readiness
    http-check expect status 200
{servers}
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", default="target/release")
    parser.add_argument("--rate", type=float, default=25.0, help="requests per second")
    parser.add_argument("--phase-seconds", type=float, default=6.0)
    parser.add_argument("--base-port", type=int, default=18100)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="sy-rolling-")
    db = f"sy_rolling_{os.getpid()}"
    mock_port = args.base_port + 10
    procs = []
    replicas = []

    def cleanup():
        for r in replicas:
            if r.proc and r.proc.poll() is None:
                r.proc.kill()
        for p in procs:
            if p.poll() is None:
                p.kill()
        time.sleep(0.5)
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                        f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], capture_output=True)
        if os.environ.get("KEEP"):
            print(f"replica logs kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    try:
        sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {db}")
        sh("redis-cli", "-n", REDIS_DB, "flushdb")
        procs.append(subprocess.Popen(
            [os.path.join(args.bin_dir, "mock-upstream"), "--listen", f"127.0.0.1:{mock_port}",
             "--name", "aws", "--models", "granite", "--token-ms", "20", "--completion-tokens", "16"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with open(os.path.join(work, "switchyard.toml"), "w") as f:
            f.write(f"""master_key = "{MASTER}"
shutdown_grace_seconds = 20
# HAProxy checks every 500 ms and marks a replica down after two failures: 2 s covers it.
shutdown_delay_seconds = 2
[log]
level = "info"
[quota]
# A killed replica's budget reservations go back after this long (default 30 s).
lease_seconds = 3
[[models]]
name = "granite"
input_cost_per_token = 2e-7
output_cost_per_token = 6e-7
[[models.deployments]]
cluster = "aws"
api_base = "http://127.0.0.1:{mock_port}/v1"
""")
        env = {"PATH": os.environ.get("PATH", ""),
               "SWITCHYARD_DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
               "SWITCHYARD_REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}"}
        replicas.extend(Replica(i, args, work, env) for i in range(3))
        # All three at once, on an empty database.
        for r in replicas:
            r.start()
        for r in replicas:
            wait_ready(r.port)
        migrated = [r.index for r in replicas
                    if any("migrations applied" in line and "applied=0" not in line
                           for line in r.log().splitlines())]
        with open(os.path.join(work, "haproxy.cfg"), "w") as f:
            f.write(haproxy_config(args, replicas))
        procs.append(subprocess.Popen(["haproxy", "-db", "-f", os.path.join(work, "haproxy.cfg")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_ready(args.base_port)
        time.sleep(2)

        status, _, data = call(args.base_port, "POST", "/key/generate",
                               {"models": ["granite"], "user_id": "rolling", "max_budget": 1000.0})
        assert status == 200, data
        key = json.loads(data)["key"]

        client = Client(args.base_port, key, args.rate)
        client.start()
        time.sleep(args.phase_seconds)
        timings = {}
        for r in replicas:
            client.phase = f"SIGTERM r{r.index}"
            began = time.time()
            r.stop(signal.SIGTERM)
            r.start()
            wait_ready(r.port)
            timings[client.phase] = time.time() - began
            time.sleep(args.phase_seconds)
        client.phase = "SIGKILL r0"
        kill_began = time.time()
        replicas[0].stop(signal.SIGKILL)
        killed_at = time.time()
        time.sleep(3)
        replicas[0].start()
        wait_ready(replicas[0].port)
        time.sleep(args.phase_seconds)
        client.phase = "after"
        time.sleep(args.phase_seconds / 2)
        client.stop()
        for r in replicas:
            r.stop(signal.SIGTERM)

        results = client.results
        rows = dict(tuple(line.split("|")) for line in
                    psql(db, "SELECT request_id, count(*) FROM spend_requests GROUP BY request_id").splitlines()
                    if line)
        succeeded = [r for r in results if r["ok"]]
        missing = [r["request_id"] for r in succeeded if r["request_id"] not in rows]
        twice = [rid for rid, n in rows.items() if int(n) > 1]
        logged = int(psql(db, "SELECT coalesce(sum(cost_nanos), 0) FROM spend_requests") or 0)
        key_spend = int(psql(db, "SELECT coalesce(sum(spend_nanos), 0) FROM api_keys") or 0)
        # The key's budget counter in Redis (sy:q:k:<key hash>:b:<window>): the spend every
        # replica sees. A request in flight on the killed replica had a reservation there; its
        # hold ran out (quota.lease_seconds) and the next admission gave it back.
        budgets = sh("redis-cli", "-n", REDIS_DB, "--scan", "--pattern", "sy:q:k:*:b:*").split()
        redis_budget = sum(int(sh("redis-cli", "-n", REDIS_DB, "get", k).strip() or 0) for k in budgets)

        def at_the_kill(r):
            # In flight at the kill: started before the process was gone, ended after the kill
            # began (HAProxy may have handed it to the replica a moment before).
            return r["started"] <= killed_at and r["ended"] >= kill_began

        phases = []
        for r in results:
            if r["phase"] not in phases:
                phases.append(r["phase"])
        print(f"{'phase':<14} {'requests':>9} {'failed':>7} {'at kill':>8} {'streams':>8}  restart")
        report = {"phases": {}}
        for phase in phases:
            mine = [r for r in results if r["phase"] == phase]
            failed = [r for r in mine if not r["ok"]]
            killed = [r for r in failed if at_the_kill(r)]
            took = f"{timings[phase]:.1f} s" if phase in timings else ""
            print(f"{phase:<14} {len(mine):>9} {len(failed):>7} {len(killed):>8} "
                  f"{sum(r['stream'] for r in mine):>8}  {took}")
            report["phases"][phase] = {"requests": len(mine), "failed": len(failed),
                                       "errors": sorted({r["error"] for r in failed})[:5]}
        failed = [r for r in results if not r["ok"]]
        at_kill = [r for r in failed if at_the_kill(r)]
        other = [r for r in failed if r not in at_kill]
        for r in other[:10]:
            print("failure:", r["phase"], r["request_id"], r["error"])
        report.update({
            "requests": len(results), "succeeded": len(succeeded),
            "failed_in_flight_at_kill": len(at_kill), "failed_otherwise": len(other),
            "migrated_by_replicas": migrated,
            "spend_rows": sum(int(n) for n in rows.values()),
            "successes_missing_from_spend_requests": len(missing), "recorded_twice": len(twice),
            "key_spend_nanos": key_spend, "spend_requests_cost_nanos": logged,
            "redis_budget_counter_nanos": redis_budget,
        })
        print(json.dumps(report))
        print(f"successes {len(succeeded)}/{len(results)}; failed in flight at the kill "
              f"{len(at_kill)}, otherwise {len(other)}; in spend_requests: missing {len(missing)}, "
              f"twice {len(twice)}; key spend {key_spend} = ledger {logged}: {key_spend == logged}; "
              f"redis budget counter {redis_budget} = key spend: {redis_budget == key_spend}; migrations by replicas {migrated}")
        good = (not other and not missing and not twice and key_spend == logged
                and redis_budget == key_spend and len(migrated) == 1)
        return 0 if good else 1
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
