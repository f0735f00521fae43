#!/usr/bin/env bash
# `start`: runs moto_server (PyPI `moto[server]`, pinned, installed into .tools/venv
# when missing) as a local S3-compatible server for the storage tests, creates the test
# bucket and prints `export TEST_S3_ENDPOINT=... TEST_S3_BUCKET=...` for `eval`. The
# server lives until `stop` (or until the machine restarts); it keeps nothing on disk.
set -euo pipefail
cd "$(dirname "$0")/.."
MOTO_VERSION=5.2.5
port=${S3_TEST_PORT:-9577}
bucket=commonplace-test
endpoint=http://127.0.0.1:$port
pidfile=.tools/moto.pid

up() { curl -fsS -o /dev/null "$endpoint/" 2>/dev/null; }

case "${1:-start}" in
  start)
    if ! up; then
      if [[ "$(.tools/venv/bin/pip show moto 2>/dev/null | awk '/^Version:/ { print $2 }')" != "$MOTO_VERSION" ]]; then
        echo "==> installing moto[server] $MOTO_VERSION into .tools/venv" >&2
        [[ -x .tools/venv/bin/pip ]] || python3 -m venv .tools/venv
        .tools/venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
      fi
      echo "==> starting moto_server (S3) at $endpoint" >&2
      nohup .tools/venv/bin/moto_server -H 127.0.0.1 -p "$port" >.tools/moto.log 2>&1 &
      echo $! >"$pidfile"
      for _ in $(seq 1 50); do up && break; sleep 0.2; done
      up || { echo "moto_server did not start; see .tools/moto.log" >&2; exit 1; }
    fi
    # moto accepts unsigned requests: creating the bucket needs no credentials.
    curl -fsS -o /dev/null -X PUT "$endpoint/$bucket" || { echo "could not create bucket $bucket" >&2; exit 1; }
    echo "export TEST_S3_ENDPOINT=$endpoint TEST_S3_BUCKET=$bucket"
    ;;
  stop)
    [[ -f "$pidfile" ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
