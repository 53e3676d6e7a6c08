package credential

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// fakeWebhooks hands out numbered webhook secrets.
type fakeWebhooks struct{ n int }

func (f *fakeWebhooks) RotateAppSecret(context.Context, caller.Caller) (string, error) {
	f.n++
	return "whsec_" + string(rune('a'+f.n)), nil
}

type tenant struct {
	app   identity.App
	creds identity.Credentials
	admin caller.Caller
}

func newTenant(t *testing.T, ids *identity.Service, name string) tenant {
	t.Helper()
	ctx := context.Background()
	org, err := ids.CreateOrg(ctx, name)
	require.NoError(t, err)
	app, creds, err := ids.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: name, RedirectURIs: []string{"https://x.test/cb"}})
	require.NoError(t, err)
	return tenant{app: app, creds: creds, admin: caller.Caller{Credential: caller.AdminKey, OrgID: org.ID, AppID: app.ID}}
}

func works(t *testing.T, ids *identity.Service, key string, want int64) {
	t.Helper()
	a, err := ids.AppByKey(context.Background(), identity.CredAPIKey, key)
	require.NoError(t, err)
	require.Equal(t, want, a.ID)
}

func fails(t *testing.T, ids *identity.Service, key string) {
	t.Helper()
	_, err := ids.AppByKey(context.Background(), identity.CredAPIKey, key)
	require.ErrorIs(t, err, fault.ErrUnauthorized)
}

func dur(d time.Duration) *time.Duration { return &d }

func TestRotateAndRollbackAPIKey(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := identity.NewService(db, false)
		s := NewService(db, &fakeWebhooks{})
		a, b := newTenant(t, ids, "A"), newTenant(t, ids, "B")

		_, err := s.Rotate(ctx, a.admin, APIKey, Rotation{})
		require.ErrorIs(t, err, fault.ErrInvalid, "a confirmation is required")
		_, err = s.Rotate(ctx, a.admin, APIKey, Rotation{Confirmation: "yes", Grace: dur(-time.Hour)})
		require.ErrorIs(t, err, fault.ErrInvalid)

		r1, err := s.Rotate(ctx, a.admin, APIKey, Rotation{Confirmation: "yes", Request: Request{Reason: "scheduled", UserAgent: "ua", IPAddress: "10.0.0.1"}})
		require.NoError(t, err)
		require.NotEqual(t, a.creds.APIKey, r1.Secret)
		require.NotEmpty(t, r1.RollbackToken)
		require.WithinDuration(t, s.now().Add(DefaultGrace), r1.GraceEndsAt, time.Minute)
		works(t, ids, a.creds.APIKey, a.app.ID) // in its grace period
		works(t, ids, r1.Secret, a.app.ID)
		st, err := s.Status(ctx, a.admin)
		require.NoError(t, err)
		require.Equal(t, PendingRotation, st[APIKey].Status)
		require.False(t, st[APIKey].GraceEndsAt.IsZero())
		require.Equal(t, Active, st[ClientSecret].Status)
		require.Equal(t, RecommendOK, st[APIKey].RecommendedAction)

		// Another app's token, or the wrong type, restores nothing.
		require.ErrorIs(t, s.Rollback(ctx, b.admin, APIKey, r1.RollbackToken, Request{}), fault.ErrInvalid)
		require.ErrorIs(t, s.Rollback(ctx, a.admin, ClientSecret, r1.RollbackToken, Request{}), fault.ErrInvalid)

		// With no grace, the replaced key stops at once; a rotation
		// supersedes the previous rollback token.
		r2, err := s.Rotate(ctx, a.admin, APIKey, Rotation{Confirmation: "yes", Grace: dur(0)})
		require.NoError(t, err)
		fails(t, ids, r1.Secret)
		works(t, ids, r2.Secret, a.app.ID)
		require.ErrorIs(t, s.Rollback(ctx, a.admin, APIKey, r1.RollbackToken, Request{}), fault.ErrInvalid)

		// Rollback restores the replaced key once.
		require.NoError(t, s.Rollback(ctx, a.admin, APIKey, r2.RollbackToken, Request{Reason: "broke prod"}))
		works(t, ids, r1.Secret, a.app.ID)
		fails(t, ids, r2.Secret)
		require.ErrorIs(t, s.Rollback(ctx, a.admin, APIKey, r2.RollbackToken, Request{}), fault.ErrInvalid)
		works(t, ids, b.creds.APIKey, b.app.ID)

		// A rollback token lasts an hour.
		r3, err := s.Rotate(ctx, a.admin, APIKey, Rotation{Confirmation: "yes"})
		require.NoError(t, err)
		real := s.now
		s.now = func() time.Time { return real().Add(RollbackValidFor + time.Minute) }
		require.ErrorIs(t, s.Rollback(ctx, a.admin, APIKey, r3.RollbackToken, Request{}), fault.ErrInvalid)
		s.now = real

		h, err := s.History(ctx, a.admin, Filter{}, page.Request{})
		require.NoError(t, err)
		require.Len(t, h.Items, 4)
		require.Equal(t, ActionRotated, h.Items[0].Action)
		require.Equal(t, ActionRollback, h.Items[1].Action)
		require.Equal(t, "broke prod", h.Items[1].Reason)
		last := h.Items[3]
		require.Equal(t, "scheduled", last.Reason)
		require.Equal(t, "ua", last.UserAgent)
		require.Equal(t, "10.0.0.1", last.IPAddress)
		require.Equal(t, ByPartner, last.InitiatedBy)
		require.Equal(t, a.app.UUID, last.AppUUID)
		require.Equal(t, float64(24), last.Metadata["grace_period_hours"])
		h, err = s.History(ctx, a.admin, Filter{Action: ActionRollback}, page.Request{})
		require.NoError(t, err)
		require.Len(t, h.Items, 1)
		h, err = s.History(ctx, a.admin, Filter{Type: ClientSecret}, page.Request{})
		require.NoError(t, err)
		require.Empty(t, h.Items)
		h, err = s.History(ctx, b.admin, Filter{}, page.Request{})
		require.NoError(t, err)
		require.Empty(t, h.Items, "app B sees nothing of app A's history")
		_, err = s.History(ctx, a.admin, Filter{Type: "password"}, page.Request{})
		require.ErrorIs(t, err, fault.ErrInvalid)
	})
}

func TestRotateClientAndWebhookSecrets(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := identity.NewService(db, false)
		s := NewService(db, &fakeWebhooks{})
		a := newTenant(t, ids, "A")
		r, err := s.Rotate(ctx, a.admin, ClientSecret, Rotation{Confirmation: "x", Grace: dur(time.Hour)})
		require.NoError(t, err)
		for _, secret := range []string{a.creds.ClientSecret, r.Secret} {
			_, err := ids.AuthenticateClient(ctx, a.app.ClientID, secret)
			require.NoError(t, err)
		}
		require.NoError(t, s.Rollback(ctx, a.admin, ClientSecret, r.RollbackToken, Request{}))
		_, err = ids.AuthenticateClient(ctx, a.app.ClientID, r.Secret)
		require.ErrorIs(t, err, fault.ErrUnauthorized)
		_, err = ids.AuthenticateClient(ctx, a.app.ClientID, a.creds.ClientSecret)
		require.NoError(t, err)

		w, err := s.Rotate(ctx, a.admin, WebhookSecret, Rotation{Confirmation: "x", Grace: dur(time.Hour)})
		require.NoError(t, err)
		require.NotEmpty(t, w.Secret)
		require.Empty(t, w.RollbackToken)
		require.True(t, w.GraceEndsAt.IsZero())
		require.ErrorIs(t, s.Rollback(ctx, a.admin, WebhookSecret, "anything", Request{}), fault.ErrInvalid)
		st, err := s.Status(ctx, a.admin)
		require.NoError(t, err)
		require.False(t, st[WebhookSecret].LastRotatedAt.IsZero())
	})
}

func TestRotationRateLimit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := identity.NewService(db, false)
		s := NewService(db, &fakeWebhooks{})
		a, b := newTenant(t, ids, "A"), newTenant(t, ids, "B")
		for range RotationsPerHour {
			_, err := s.Rotate(ctx, a.admin, APIKey, Rotation{Confirmation: "x"})
			require.NoError(t, err)
		}
		_, err := s.Rotate(ctx, a.admin, APIKey, Rotation{Confirmation: "x"})
		fe, ok := fault.As(err)
		require.True(t, ok, "%v", err)
		require.Equal(t, fault.KindRateLimited, fe.Kind)
		require.Positive(t, fe.RetryAfter)
		require.LessOrEqual(t, fe.RetryAfter, time.Hour)
		// Other credentials and other apps have their own budget.
		_, err = s.Rotate(ctx, a.admin, ClientSecret, Rotation{Confirmation: "x"})
		require.NoError(t, err)
		_, err = s.Rotate(ctx, b.admin, APIKey, Rotation{Confirmation: "x"})
		require.NoError(t, err)
		// An hour later the budget is back.
		real := s.now
		s.now = func() time.Time { return real().Add(time.Hour + time.Minute) }
		_, err = s.Rotate(ctx, a.admin, APIKey, Rotation{Confirmation: "x"})
		require.NoError(t, err)
	})
}
