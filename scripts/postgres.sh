#!/usr/bin/env bash
# `check`: is PostgreSQL answering at TEST_POSTGRES_URL? `ensure`: install Debian's
# postgresql when absent, start a cluster, and allow trust auth on 127.0.0.1 for tests.
set -euo pipefail
url=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

check() { command -v psql >/dev/null && psql "$url" -Atqc 'select 1' >/dev/null 2>&1; }

case "${1:-check}" in
  check) check ;;
  ensure)
    check && exit 0
    if ! command -v pg_ctlcluster >/dev/null || [[ -z "$(ls /etc/postgresql 2>/dev/null)" ]]; then
      echo "==> installing PostgreSQL from Debian"
      as_root apt-get update -qq
      DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql postgresql-client
    fi
    version=$(ls /etc/postgresql | sort -V | tail -1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
      as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    fi
    echo "==> starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
      || as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    for _ in $(seq 1 30); do check && exit 0; sleep 1; done
    echo "PostgreSQL did not come up at $url" >&2
    exit 1
    ;;
  *) echo "usage: $0 check|ensure" >&2; exit 2 ;;
esac
