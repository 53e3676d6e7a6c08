package connection_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/connection"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/mail"
	"github.com/quorumhq/quorum/internal/oauth"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// recorder keeps the events a service emits.
type recorder struct {
	mu     sync.Mutex
	events []event.Event
}

func (r *recorder) Emit(_ context.Context, _ *jobs.Tx, e event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

type tenant struct {
	app   identity.App
	admin caller.Caller
	users []identity.User
}

type env struct {
	ids   *identity.Service
	oauth *oauth.Service
	svc   *connection.Service
	rec   *recorder
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, jobs.Migrate(ctx, db))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	q, err := jobs.New(db, logger, jobs.Config{InsertOnly: true})
	require.NoError(t, err)
	ids := identity.NewService(db, false)
	rec := &recorder{}
	return &env{ids: ids, oauth: oauth.NewService(db, ids, mail.LogSender{Logger: logger}, logger),
		svc: connection.NewService(db, q, rec), rec: rec}
}

func (e *env) tenant(t *testing.T, name string, users ...string) tenant {
	t.Helper()
	ctx := context.Background()
	org, err := e.ids.CreateOrg(ctx, name)
	require.NoError(t, err)
	app, _, err := e.ids.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: name, RedirectURIs: []string{"https://x.test/cb"}})
	require.NoError(t, err)
	tn := tenant{app: app, admin: caller.Caller{Credential: caller.AdminKey, OrgID: org.ID, AppID: app.ID}}
	for _, email := range users {
		u, err := e.ids.CreateUser(ctx, identity.NewUser{OrgID: org.ID, Email: email, Name: "U " + email})
		require.NoError(t, err)
		tn.users = append(tn.users, u)
	}
	return tn
}

func TestConnectionsListAndRevoke(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		a := e.tenant(t, "A", "ann@a.test", "al@a.test")
		b := e.tenant(t, "B", "bob@b.test")
		var annTokens []oauth.TokenSet
		for range 2 {
			ts, err := e.oauth.IssueForUser(ctx, a.app, a.users[0], "")
			require.NoError(t, err)
			annTokens = append(annTokens, ts)
		}
		_, err := e.oauth.IssueForUser(ctx, a.app, a.users[1], "openid")
		require.NoError(t, err)
		bobTokens, err := e.oauth.IssueForUser(ctx, b.app, b.users[0], "")
		require.NoError(t, err)

		p, err := e.svc.List(ctx, a.admin, connection.Filter{}, page.Request{})
		require.NoError(t, err)
		require.Equal(t, 2, p.Total)
		require.Equal(t, connection.DefaultPage, p.Limit)
		for _, c := range p.Items {
			require.Equal(t, connection.Active, c.Status)
			require.False(t, c.ExpiresAt.IsZero())
		}
		p, err = e.svc.List(ctx, a.admin, connection.Filter{UserUUID: a.users[0].UUID}, page.Request{})
		require.NoError(t, err)
		require.Len(t, p.Items, 1)
		ann := p.Items[0]
		require.Equal(t, "ann@a.test", ann.UserEmail)
		require.Equal(t, oauth.ParseScope(oauth.DefaultScope), ann.Scopes)

		// App B sees nothing of app A, and the other way round.
		_, err = e.svc.Get(ctx, b.admin, ann.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
		require.ErrorIs(t, e.svc.Revoke(ctx, b.admin, ann.UUID), fault.ErrNotFound)
		p, err = e.svc.List(ctx, b.admin, connection.Filter{UserUUID: a.users[0].UUID}, page.Request{})
		require.NoError(t, err)
		require.Zero(t, p.Total)
		_, err = e.svc.Get(ctx, a.admin, "nonexistent")
		require.ErrorIs(t, err, fault.ErrNotFound)

		require.NoError(t, e.svc.Revoke(ctx, a.admin, ann.UUID))
		for _, ts := range annTokens {
			_, err := e.oauth.Authenticate(ctx, ts.AccessToken)
			require.ErrorIs(t, err, fault.ErrUnauthorized)
			_, err = e.oauth.Refresh(ctx, a.app, ts.RefreshToken)
			require.Error(t, err)
		}
		_, err = e.oauth.Authenticate(ctx, bobTokens.AccessToken)
		require.NoError(t, err, "another app's user keeps its token")
		got, err := e.svc.Get(ctx, a.admin, ann.UUID)
		require.NoError(t, err)
		require.Equal(t, connection.Revoked, got.Status)
		require.False(t, got.RevokedAt.IsZero())

		require.Len(t, e.rec.events, 1)
		ev := e.rec.events[0]
		require.Equal(t, event.UserConnectionRevoked, ev.Type)
		require.True(t, ev.AppOnly)
		require.Equal(t, a.app.ID, ev.AppID)
		require.Equal(t, a.users[0].ID, ev.ForUserID)
		require.Equal(t, ann.UUID, ev.Data.(event.ConnectionRevoked).ConnectionID)

		// Revoking again changes nothing and emits nothing.
		require.NoError(t, e.svc.Revoke(ctx, a.admin, ann.UUID))
		require.Len(t, e.rec.events, 1)

		for status, want := range map[connection.Status]int{connection.Active: 1, connection.Revoked: 1, connection.Expired: 0} {
			p, err := e.svc.List(ctx, a.admin, connection.Filter{Status: status}, page.Request{})
			require.NoError(t, err)
			require.Equal(t, want, p.Total, status)
			require.Len(t, p.Items, want, status)
		}
		_, err = e.svc.List(ctx, a.admin, connection.Filter{Status: "gone"}, page.Request{})
		require.ErrorIs(t, err, fault.ErrInvalid)

		// Authorizing again makes the connection active, with new tokens.
		ts, err := e.oauth.IssueForUser(ctx, a.app, a.users[0], "")
		require.NoError(t, err)
		_, err = e.oauth.Authenticate(ctx, ts.AccessToken)
		require.NoError(t, err)
		got, err = e.svc.Get(ctx, a.admin, ann.UUID)
		require.NoError(t, err)
		require.Equal(t, connection.Active, got.Status)
	})
}
