package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/meeting"
)

// TestAdminMeetingAndCalendar: merge and copy make the Partner GET redirect
// reachable, and a user's calendar can be uploaded from a file.
func TestAdminMeetingAndCalendar(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	org, err := quorum(t, dir, "admin", "org", "create", "--name", "Acme", "--json")
	require.NoError(t, err)
	orgRef := org["uuid"].(string)
	org2, err := quorum(t, dir, "admin", "org", "create", "--name", "Beta", "--json")
	require.NoError(t, err)
	_, err = quorum(t, dir, "admin", "user", "create", "--org", orgRef, "--email", "ann@acme.test", "--name", "Ann", "--json")
	require.NoError(t, err)

	cfg, _, err := config.Load([]string{"--data-dir", dir}, nil, io.Discard)
	require.NoError(t, err)
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	sys := caller.ForSystem(int64(org["id"].(float64)))
	from, err := a.Meetings.Create(ctx, sys, meeting.New{Title: "Part one"})
	require.NoError(t, err)
	into, err := a.Meetings.Create(ctx, sys, meeting.New{Title: "Part two"})
	require.NoError(t, err)
	require.NoError(t, a.Close(ctx))

	out, err := quorum(t, dir, "admin", "meeting", "merge", "--org", orgRef, "--from", from.UUID, "--into", into.UUID, "--json")
	require.NoError(t, err)
	require.Equal(t, into.UUID, out["into"])
	_, err = quorum(t, dir, "admin", "meeting", "merge", "--org", orgRef, "--from", from.UUID, "--into", "nonexistent", "--json")
	require.Error(t, err)
	cp, err := quorum(t, dir, "admin", "meeting", "copy", "--org", orgRef, "--meeting", into.UUID, "--to-org", org2["uuid"].(string), "--json")
	require.NoError(t, err)
	require.Equal(t, into.UUID, cp["copied_from"])

	file := filepath.Join(dir, "cal.ics")
	require.NoError(t, os.WriteFile(file, []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a\r\n"+
		"DTSTAMP:20260101T000000Z\r\nDTSTART:20300101T090000Z\r\nSUMMARY:Later\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), 0o600))
	cal, err := quorum(t, dir, "admin", "calendar", "add", "--user", "ann@acme.test", "--file", file, "--name", "Work", "--json")
	require.NoError(t, err)
	require.Equal(t, "Work", cal["name"])
	_, err = quorum(t, dir, "admin", "calendar", "add", "--user", "nobody@acme.test", "--file", file, "--json")
	require.Error(t, err)

	a, err = app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	defer a.Close(ctx)
	_, redirect, err := a.Meetings.Lookup(ctx, sys, from.UUID)
	require.NoError(t, err)
	require.Equal(t, into.UUID, redirect)
	_, redirect, err = a.Meetings.Lookup(ctx, caller.ForSystem(int64(org2["id"].(float64))), into.UUID)
	require.NoError(t, err)
	require.Equal(t, cp["copy"], redirect)
}
