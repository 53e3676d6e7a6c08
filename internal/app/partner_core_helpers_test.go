package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/identity"
)

// coreScopes are every scope the meetings, action item and calendar
// endpoints need.
const coreScopes = "openid profile meetings:read meetings:write action-items:read action-items:write calendar:read calendar:write"

// workspace is an organization with its app, for Partner user tests that
// need several users of one workspace.
type workspace struct {
	e   *env
	f   fixture
	app identity.App
}

func (e *env) workspace(email string) workspace {
	e.t.Helper()
	f := e.fixture(email)
	a, err := e.app.Identities.AppByClientID(context.Background(), f.app.ClientID)
	require.NoError(e.t, err)
	return workspace{e: e, f: f, app: a}
}

// member adds a user to the workspace.
func (w workspace) member(t *testing.T, email string, role identity.Role) identity.User {
	t.Helper()
	u, err := w.e.app.Identities.CreateUser(context.Background(), identity.NewUser{OrgID: w.f.org.ID, Email: email,
		Name: strings.Split(email, "@")[0], Password: "correct horse battery", Role: role})
	require.NoError(t, err)
	return u
}

// as is a client acting for u with the given space-separated scopes
// (coreScopes when empty).
func (w workspace) as(t *testing.T, u identity.User, scopes string) *client.Client {
	t.Helper()
	if scopes == "" {
		scopes = coreScopes
	}
	tok, err := w.e.app.OAuth.IssueForUser(context.Background(), w.app, u, scopes)
	require.NoError(t, err)
	return w.e.client(client.WithBearer(tok.AccessToken))
}

// owner is a client for the workspace's first user.
func (w workspace) owner(t *testing.T) *client.Client { return w.as(t, w.f.user, "") }

// appClient is a client-credentials client of the workspace's app: an app
// with no user.
func (w workspace) appClient(t *testing.T) *client.Client {
	t.Helper()
	tok, err := w.e.app.OAuth.ClientCredentials(context.Background(), w.app, coreScopes)
	require.NoError(t, err)
	return w.e.client(client.WithBearer(tok.AccessToken))
}

func ptr[T any](v T) *T { return &v }
