package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAdminMeetingsAPI(t *testing.T) {
	dir := t.TempDir()
	org, err := quorum(t, dir, "admin", "org", "create", "--name", "Acme", "--json")
	require.NoError(t, err)
	orgRef := org["uuid"].(string)
	_, err = quorum(t, dir, "admin", "user", "create", "--org", orgRef, "--email", "ann@acme.test", "--name", "Ann", "--json")
	require.NoError(t, err)

	tok, err := quorum(t, dir, "admin", "user", "token", "--email", "ann@acme.test", "--json")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(tok["user_token"].(string), "pt_"))
	_, err = quorum(t, dir, "admin", "user", "token", "--email", "nobody@acme.test", "--json")
	require.Error(t, err)

	topic, err := quorum(t, dir, "admin", "topic", "add", "--org", orgRef, "--name", "Weekly Sync", "--language", "id", "--json")
	require.NoError(t, err)
	require.Equal(t, "weekly-sync", topic["alias"])
	_, err = quorum(t, dir, "admin", "topic", "add", "--org", orgRef, "--name", "Weekly Sync", "--language", "id", "--json")
	require.ErrorContains(t, err, "already has a topic")

	q, err := quorum(t, dir, "admin", "usage", "quota", "--org", orgRef, "--capability", "speech-to-text", "--limit", "3600", "--json")
	require.NoError(t, err)
	require.EqualValues(t, 3600, q["limit"])
	_, err = quorum(t, dir, "admin", "usage", "quota", "--org", orgRef, "--capability", "teleportation", "--limit", "1", "--json")
	require.ErrorContains(t, err, "unknown capability")
}
