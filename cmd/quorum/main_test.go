package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// quorum runs the CLI in-process and decodes its JSON output.
func quorum(t *testing.T, dataDir string, args ...string) (map[string]any, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, []string{"QUORUM_DATA_DIR=" + dataDir}, &out, &errOut)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, errOut.String())
	}
	var v map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &v), out.String())
	return v, nil
}

func TestAdminCommands(t *testing.T) {
	dir := t.TempDir()
	org, err := quorum(t, dir, "admin", "org", "create", "--name", "Acme", "--json")
	require.NoError(t, err)
	require.Equal(t, "Acme", org["name"])
	orgRef := org["uuid"].(string)

	user, err := quorum(t, dir, "admin", "user", "create", "--org", orgRef, "--email", "Ann@Acme.test", "--name", "Ann", "--password", "long password", "--json")
	require.NoError(t, err)
	require.Equal(t, "ann@acme.test", user["email"])

	app, err := quorum(t, dir, "admin", "app", "create", "--org", orgRef, "--name", "Notes", "--redirect-uri", "http://localhost/cb",
		"--scope", "profile", "--scope", "meetings:read", "--json")
	require.NoError(t, err)
	for _, k := range []string{"client_id", "client_secret", "api_key", "cloud_api_key"} {
		require.NotEmpty(t, app[k], k)
	}

	tok, err := quorum(t, dir, "admin", "token", "create", "--client-id", app["client_id"].(string), "--user", "ann@acme.test", "--scope", "profile", "--json")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(tok["access_token"].(string), "cto_at_v1_"))
	require.Equal(t, "profile", tok["scope"])

	_, err = quorum(t, dir, "admin", "token", "create", "--client-id", app["client_id"].(string), "--user", "ann@acme.test", "--scope", "chat:write", "--json")
	require.ErrorContains(t, err, "not allowed")
	_, err = quorum(t, dir, "admin", "user", "create", "--org", orgRef, "--email", "ann@acme.test", "--name", "Dup", "--json")
	require.ErrorContains(t, err, "already exists")
	_, err = quorum(t, dir, "admin", "org", "explode")
	require.ErrorContains(t, err, "unknown admin command")
}

func TestUnknownSettingFailsStartup(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"serve"}, []string{"QUORUM_ADRESS=1"}, &out, &errOut)
	require.ErrorContains(t, err, "QUORUM_ADRESS")
}
