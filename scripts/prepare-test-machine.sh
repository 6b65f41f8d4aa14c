#!/usr/bin/env bash
# Makes a fresh machine ready for `npm test`: Debian's Chromium for the e2e suite (Playwright cannot
# download its own browser here), a running PostgreSQL at 127.0.0.1:5432 for the dual-database tests
# (its LISTEN/NOTIFY carries the live-status tests), and a check that the S3-compatible test server
# (s3rver, from npm; each storage test starts its own on 127.0.0.1) starts here.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null 2>&1; then
  echo "prepare-test-machine: installing Debian's chromium…"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# The Diffgram client e2e (e2e/diffgram-client) sends the Diffgram SDK's requests with python3 and
# requests; PyPI is out of reach here, so say what is missing rather than try to install it.
if ! python3 -c 'import requests' >/dev/null 2>&1; then
  echo "prepare-test-machine: the Diffgram client e2e needs python3 with requests (python3 -c 'import requests' failed)." >&2
  echo "  Install them, e.g. apt-get install python3-requests." >&2
  exit 1
fi

pg_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
if ! pg_isready -q -d "$pg_url" 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "prepare-test-machine: starting PostgreSQL…"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -d "$pg_url" 2>/dev/null && break; sleep 1; done
  if ! pg_isready -q -d "$pg_url" 2>/dev/null; then
    echo "prepare-test-machine: PostgreSQL is not reachable at $pg_url; the tests run on SQLite and PostgreSQL." >&2
    echo "  Start it, or set TEST_DATABASE_URL to a PostgreSQL database the tests may create schemas in." >&2
    exit 1
  fi
fi
# The object-storage tests start s3rver themselves; starting one here says early when it cannot.
s3_dir="$(mktemp -d)"
if ! node --input-type=module -e "
  const { default: S3rver } = await import('s3rver');
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.argv[1] });
  await server.run();
  await server.close();
" "$s3_dir" >/dev/null 2>&1; then
  rm -rf "$s3_dir"
  echo "prepare-test-machine: the S3-compatible test server (s3rver) does not start; run npm ci first." >&2
  exit 1
fi
rm -rf "$s3_dir"
echo "prepare-test-machine: chromium $(chromium --version 2>/dev/null | awk '{print $2}'), python3 with requests, PostgreSQL ready at $pg_url, s3rver starts"
