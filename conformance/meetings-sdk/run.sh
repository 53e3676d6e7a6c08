#!/usr/bin/env bash
# Runs conformance/meetings-sdk/meemo_client.py (a client written from the meemo SDK's interface)
# against a freshly built and started `quorum serve` (SQLite, temp data dir, free port).
#
#   bash conformance/meetings-sdk/run.sh
#
# Needs python3 with httpx (Debian: apt-get install -y python3-httpx); without it the run is
# skipped with a message and exit status 0, unless MEETINGS_SDK_REQUIRED=1.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
say() { printf '[meetings-sdk] %s\n' "$*" >&2; }

while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep '^QUORUM_' || true)

# Debian's python3-httpx lands in /usr/bin/python3, which a pyenv or venv python3 on PATH hides.
PY=""
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import httpx' 2>/dev/null; then PY="$p"; break; fi
done
if [ -z "$PY" ]; then
  say "python3 with httpx is missing: apt-get install -y python3-httpx"
  if [ "${MEETINGS_SDK_REQUIRED:-0}" = 1 ]; then exit 1; fi
  say "SKIPPED"
  exit 0
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/quorum-msdk.XXXXXX")"
server_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -f "$tmp/server.log" ]; then say "server log (tail):"; tail -n 60 "$tmp/server.log" >&2 || true; fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "go build ./cmd/quorum"
(cd "$root" && timeout 600 go build -o "$tmp/quorum" ./cmd/quorum)

port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
mkdir -p "$tmp/data"
export QUORUM_DATA_DIR="$tmp/data" QUORUM_ADDR="127.0.0.1:$port" QUORUM_PUBLIC_URL="$base" QUORUM_LOG_FORMAT=json

q() { timeout 30 "$tmp/quorum" "$@" 2>>"$tmp/cli.log"; }
jget() { "$PY" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1" <<<"$2"; }

say "provisioning"
org_id="$(jget id "$(q admin org create --name "SDK Org" --json)")"
other_org_id="$(jget id "$(q admin org create --name "SDK Other Org" --json)")"
q admin user create --org "$org_id" --email sdk-user@conformance.example --name "SDK User" --json >/dev/null
app_json="$(q admin app create --org "$org_id" --name "SDK App" --redirect-uri https://sdk.example/cb --json)"
topic_id="$(jget id "$(q admin topic add --org "$org_id" --name "Engineering" --language en --json)")"
user_token="$(jget user_token "$(q admin user token --email sdk-user@conformance.example --json)")"
q admin usage quota --org "$org_id" --capability speech-to-text --limit 3600 --json >/dev/null

say "quorum serve on $base"
"$tmp/quorum" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  if "$PY" -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$base/readyz" 2>/dev/null; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { say "server exited"; exit 1; }
  sleep 0.1
done

MEEMO_BASE_URL="$base" MEEMO_CLIENT_ID="$(jget client_id "$app_json")" MEEMO_CLIENT_SECRET="$(jget client_secret "$app_json")" \
TEST_ORG_ID="$org_id" TEST_OTHER_ORG_ID="$other_org_id" TEST_USER_TOKEN="$user_token" TEST_TOPIC_ID="$topic_id" \
  "$PY" "$here/test_meetings_sdk.py"
