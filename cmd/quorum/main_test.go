package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

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

	// A member of a second organization can use the app once it is linked.
	org2, err := quorum(t, dir, "admin", "org", "create", "--name", "Beta", "--json")
	require.NoError(t, err)
	org2Ref := org2["uuid"].(string)
	_, err = quorum(t, dir, "admin", "user", "create", "--org", org2Ref, "--email", "bo@beta.test", "--name", "Bo", "--json")
	require.NoError(t, err)
	_, err = quorum(t, dir, "admin", "token", "create", "--client-id", app["client_id"].(string), "--user", "bo@beta.test", "--scope", "profile", "--json")
	require.ErrorContains(t, err, "not a member")
	_, err = quorum(t, dir, "admin", "app", "link", "--client-id", app["client_id"].(string), "--org", org2Ref, "--json")
	require.NoError(t, err)
	_, err = quorum(t, dir, "admin", "token", "create", "--client-id", app["client_id"].(string), "--user", "bo@beta.test", "--scope", "profile", "--json")
	require.NoError(t, err)

	set, err := quorum(t, dir, "admin", "app", "set", "--client-id", app["client_id"].(string), "--provision-users", "true", "--json")
	require.NoError(t, err)
	require.Equal(t, true, set["provision_users"])
	require.Equal(t, "active", set["status"])
	_, err = quorum(t, dir, "admin", "app", "set", "--client-id", app["client_id"].(string), "--status", "paused", "--json")
	require.ErrorContains(t, err, "status must be")

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

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeStopsGracefully(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-format", "json"}, nil, &out, &logs)
	}()
	addrRe := regexp.MustCompile(`"addr":"([^"]+)"`)
	var addr string
	deadline := time.Now().Add(20 * time.Second)
	for addr == "" && time.Now().Before(deadline) {
		if m := addrRe.FindStringSubmatch(logs.String()); m != nil && strings.Contains(logs.String(), "quorum serving") {
			addr = m[1]
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.NotEmpty(t, addr, "server did not start: %s", logs.String())
	resp, err := http.Get("http://" + addr + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	cancel() // what SIGINT/SIGTERM do through signal.NotifyContext
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not stop")
	}
	require.Contains(t, logs.String(), "shutting down")
}
