package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPartnerAdminCommands rotates an app's credentials, lists and revokes
// its connections and lists its deliveries from the CLI.
func TestPartnerAdminCommands(t *testing.T) {
	dir := t.TempDir()
	org, err := quorum(t, dir, "admin", "org", "create", "--name", "Acme", "--json")
	require.NoError(t, err)
	orgRef := org["uuid"].(string)
	_, err = quorum(t, dir, "admin", "user", "create", "--org", orgRef, "--email", "ann@acme.test", "--name", "Ann", "--json")
	require.NoError(t, err)
	app, err := quorum(t, dir, "admin", "app", "create", "--org", orgRef, "--name", "Notes", "--redirect-uri", "http://localhost/cb", "--json")
	require.NoError(t, err)
	id := app["client_id"].(string)

	rot, err := quorum(t, dir, "admin", "credential", "rotate", "--client-id", id, "--type", "api-key", "--grace", "2h", "--reason", "leak drill", "--json")
	require.NoError(t, err)
	require.Equal(t, "api_key", rot["credential_type"])
	require.NotEqual(t, app["api_key"], rot["new_credential"])
	require.NotEmpty(t, rot["rollback_token"])
	require.NotNil(t, rot["grace_period_ends_at"])
	_, err = quorum(t, dir, "admin", "credential", "rotate", "--client-id", id, "--type", "password", "--json")
	require.ErrorContains(t, err, "--type")
	st, err := quorum(t, dir, "admin", "credential", "status", "--client-id", id, "--json")
	require.NoError(t, err)
	require.Equal(t, "pending_rotation", st["api_key"].(map[string]any)["status"])
	require.Equal(t, "active", st["client_secret"].(map[string]any)["status"])

	_, err = quorum(t, dir, "admin", "token", "create", "--client-id", id, "--user", "ann@acme.test", "--json")
	require.NoError(t, err)
	conns, err := quorum(t, dir, "admin", "connection", "list", "--client-id", id, "--status", "active", "--json")
	require.NoError(t, err)
	require.Equal(t, 1.0, conns["total"])
	connID := conns["connections"].([]any)[0].(map[string]any)["id"].(string)
	_, err = quorum(t, dir, "admin", "connection", "revoke", "--client-id", id, "--id", connID, "--json")
	require.NoError(t, err)
	conns, err = quorum(t, dir, "admin", "connection", "list", "--client-id", id, "--status", "revoked", "--json")
	require.NoError(t, err)
	require.Equal(t, 1.0, conns["total"])

	del, err := quorum(t, dir, "admin", "delivery", "list", "--client-id", id, "--json")
	require.NoError(t, err)
	require.Equal(t, 0.0, del["total"])
	require.Empty(t, del["deliveries"])
	_, err = quorum(t, dir, "admin", "delivery", "list", "--client-id", "qc_nope", "--json")
	require.Error(t, err)
}
