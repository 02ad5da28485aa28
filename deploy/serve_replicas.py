"""`make serve-replicas N=2`: N rnnviz servers on loopback ports behind Debian's nginx, without Docker.

    python deploy/serve_replicas.py --replicas 2 --port 8080

Each replica is `streamlit run app.py` in its own process group (its own memory janitor, started by
its first page run, rnnviz/ui/janitor.py), named r1, r2, ... on the device line (`RNNVIZ_REPLICA`),
all signing cookies with one secret made for this run. nginx runs in the foreground (`daemon off`)
from a configuration written into a temporary folder: deploy/nginx/rnnviz-proxy.conf (sticky by a
cookie, websocket upgrade) after an upstream of the loopback ports. Ctrl-C (or SIGTERM) stops nginx
and every replica's process group, and removes the folder. Same layout as deploy/compose.yaml.

`Replicas` is the same thing as a context manager, for tests and bench/load.py.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROXY_CONF = ROOT / "deploy" / "nginx" / "rnnviz-proxy.conf"
LISTEN_LINE = "listen 8080;"  # the one line of PROXY_CONF replaced by the local address
NGINX = os.environ.get("RNNVIZ_NGINX", shutil.which("nginx") or "/usr/sbin/nginx")
START_S = 120  # TensorFlow's import and the first page on a busy 2-core machine
MAX_REPLICAS = 16


def free_port() -> int:
    """A port nobody listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_config(workdir: Path, listen_port: int, replica_ports: list[int]) -> str:
    """The whole nginx.conf: foreground-friendly paths in `workdir`, the upstream, the shared proxy part."""
    proxy = PROXY_CONF.read_text()
    if proxy.count(LISTEN_LINE) != 1:
        raise ValueError(f"{PROXY_CONF} must hold the line {LISTEN_LINE!r} exactly once")
    proxy = proxy.replace(LISTEN_LINE, f"listen 127.0.0.1:{listen_port};")
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in replica_ports)
    temp = "\n".join(f"    {kind}_temp_path {workdir / 'tmp' / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""# written by deploy/serve_replicas.py
worker_processes 1;
error_log {workdir / 'nginx-error.log'} warn;
pid {workdir / 'nginx.pid'};
events {{ worker_connections 4096; }}
http {{
    access_log {workdir / 'nginx-access.log'};
{temp}
    upstream rnnviz_app {{
        hash $rnnviz_key consistent;
{servers}
    }}
{proxy}
}}
"""


def _die_with_parent() -> None:
    """In the child before exec: Linux sends it SIGTERM if this script dies (even by SIGKILL)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the process group, SIGKILL after 10 s; nothing once it has been reaped."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class Replicas:
    """N `streamlit run app.py` on loopback ports and nginx in front; a context manager.

    Attributes:
        url: the proxy, e.g. http://127.0.0.1:8080 (no trailing slash).
        replica_urls: each replica's own address, in order r1, r2, ...
        processes: each replica's Popen (its pid is its process group's id).
        workdir: the temporary folder with nginx.conf and every log.
    """

    def __init__(self, replicas: int = 2, port: int = 0, env: dict | None = None, python: str = sys.executable):
        if not 1 <= replicas <= MAX_REPLICAS:
            raise ValueError(f"replicas must be from 1 to {MAX_REPLICAS}; got {replicas}")
        if not (os.path.isfile(NGINX) and os.access(NGINX, os.X_OK)):
            raise RuntimeError(f"nginx is missing ({NGINX}): apt-get install nginx-light (make nginx does it as root)")
        self.count, self.port, self.python = replicas, port or free_port(), python
        self.extra_env = dict(env or {})
        self.url = f"http://127.0.0.1:{self.port}"
        self.replica_urls: list[str] = []
        self.processes: list[subprocess.Popen] = []
        self.nginx: subprocess.Popen | None = None
        self.workdir = Path(tempfile.mkdtemp(prefix="rnnviz-replicas-"))

    def __enter__(self) -> "Replicas":
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def log(self, index: int) -> Path:
        """Replica `index`'s (0-based) log file."""
        return self.workdir / f"r{index + 1}.log"

    def start(self) -> None:
        """Start every replica, wait until each answers /_stcore/health, then start nginx and wait for it."""
        self.workdir.chmod(0o755)  # nginx's workers (nobody, when started as root) use tmp/ in it
        (self.workdir / "tmp").mkdir(mode=0o755)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1",
                   STREAMLIT_SERVER_COOKIE_SECRET=secrets.token_hex(32))  # one secret: XSRF cookies valid on all
        env.setdefault("MALLOC_ARENA_MAX", "2")  # as `make run`
        env.update(self.extra_env)
        for i in range(self.count):
            port = free_port()
            command = [self.python, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                       "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
            with open(self.log(i), "wb") as log:
                self.processes.append(subprocess.Popen(
                    command, cwd=ROOT, env=dict(env, RNNVIZ_REPLICA=f"r{i + 1}"), stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True, preexec_fn=_die_with_parent))
            self.replica_urls.append(f"http://127.0.0.1:{port}")
        for i, url in enumerate(self.replica_urls):
            self._wait(url, self.processes[i], self.log(i))
        conf = self.workdir / "nginx.conf"
        conf.write_text(nginx_config(self.workdir, self.port, [int(u.rsplit(":", 1)[1]) for u in self.replica_urls]))
        with open(self.workdir / "nginx.out", "wb") as out:
            self.nginx = subprocess.Popen(
                [NGINX, "-p", str(self.workdir), "-e", str(self.workdir / "nginx-error.log"), "-c", str(conf),
                 "-g", "daemon off;"], stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent)
        self._wait(self.url, self.nginx, self.workdir / "nginx-error.log")

    def _wait(self, url: str, process: subprocess.Popen, log: Path) -> None:
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{' '.join(process.args[:4])} exited with {process.returncode}:\n{_tail(log)}")
            if _healthy(url):
                return
            time.sleep(0.2)  # polling the health endpoint
        raise RuntimeError(f"{url}/_stcore/health did not answer in {START_S} s:\n{_tail(log)}")

    def stop_replica(self, index: int) -> None:
        """Stop replica `index` (0-based) and its whole process group, as a crash or a scale-down would."""
        _stop_group(self.processes[index])

    def close(self) -> None:
        """Stop nginx and every replica, then remove the folder (logs included)."""
        if self.nginx is not None:
            _stop_group(self.nginx)
        for process in self.processes:
            _stop_group(process)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2, help=f"streamlit processes (1 to {MAX_REPLICAS}; default 2)")
    parser.add_argument("--port", type=int, default=8080, help="the port nginx listens on, 127.0.0.1 (default 8080)")
    args = parser.parse_args()
    if not 1 <= args.replicas <= MAX_REPLICAS or not 1 <= args.port <= 65535:
        parser.error(f"--replicas from 1 to {MAX_REPLICAS}, --port from 1 to 65535")

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        with Replicas(args.replicas, args.port) as running:
            for i, url in enumerate(running.replica_urls):
                print(f"replica r{i + 1}: {url} (pid {running.processes[i].pid}; log {running.log(i)})")
            print(f"rnnviz on {running.url} (nginx, sticky by the cookie rnnviz_replica); Ctrl-C stops everything",
                  flush=True)
            reported: set[int] = set()
            while True:
                for i, process in enumerate(running.processes):
                    if process.poll() is not None and i not in reported:
                        reported.add(i)
                        print(f"replica r{i + 1} exited with {process.returncode}; nginx sends its browsers to the others",
                              flush=True)
                if running.nginx.poll() is not None:
                    raise SystemExit(f"nginx exited with {running.nginx.returncode}:\n"
                                     f"{_tail(running.workdir / 'nginx-error.log')}")
                time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopped nginx and every replica", flush=True)
    except RuntimeError as error:
        raise SystemExit(str(error))


if __name__ == "__main__":
    main()
