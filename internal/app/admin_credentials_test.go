package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/caller"
	cred "github.com/quorumhq/quorum/internal/credential"
)

func hours(n int) *int { return &n }

// TestAPIKeyRotationGraceAndRollback rotates an app's API key through the
// admin API: old and new keys both work during the grace period, a
// rollback restores the old key once, and a key whose grace period ends
// stops on the next request.
func TestAPIKeyRotationGraceAndRollback(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("rota@example.com")
		other := e.fixture("other@example.com")
		k0 := f.apiKey
		admin := func(key string) *client.Client { return e.client(client.WithAPIKey(key, f.app.ClientID)) }

		_, err := admin(k0).RotateAPIKey(ctx, client.CredentialRotationRequest{})
		apiErr(t, err, http.StatusBadRequest, "bad_request")
		r1, err := admin(k0).RotateAPIKey(ctx, client.CredentialRotationRequest{ConfirmationToken: "confirm-rotation-1",
			Reason: "scheduled", GracePeriodHours: hours(1)})
		require.NoError(t, err)
		require.Equal(t, "api_key", r1.CredentialType)
		require.NotEqual(t, k0, r1.NewCredential)
		require.NotNil(t, r1.GracePeriodEndsAt)
		require.NotEmpty(t, r1.RollbackToken)
		require.NotNil(t, r1.RollbackExpiresAt)
		for _, key := range []string{k0, r1.NewCredential} {
			_, err := admin(key).App(ctx)
			require.NoError(t, err, "both keys work during the grace period")
		}
		st, err := admin(r1.NewCredential).CredentialStatus(ctx)
		require.NoError(t, err)
		require.Equal(t, "pending_rotation", st.APIKey.Status)
		require.NotNil(t, st.APIKey.GracePeriodEndsAt)
		require.Equal(t, "active", st.ClientSecret.Status)
		require.Equal(t, "active", st.WebhookSecret.Status)
		require.Equal(t, "ok", st.APIKey.RecommendedAction)

		// Another app cannot spend the token; this app spends it once.
		err = e.client(client.WithAPIKey(other.apiKey, "")).RollbackCredential(ctx, "api_key", r1.RollbackToken, "")
		apiErr(t, err, http.StatusBadRequest, "bad_request")
		require.NoError(t, admin(r1.NewCredential).RollbackCredential(ctx, "api-key", r1.RollbackToken, "broke the build"))
		_, err = admin(r1.NewCredential).App(ctx)
		apiErr(t, err, http.StatusUnauthorized, "unauthorized")
		_, err = admin(k0).App(ctx)
		require.NoError(t, err)
		err = admin(k0).RollbackCredential(ctx, "api_key", r1.RollbackToken, "")
		apiErr(t, err, http.StatusBadRequest, "bad_request")

		// A grace period that ends: the replaced key stops on the first
		// request after it (the API takes whole hours, the service any
		// duration).
		a, err := e.app.Identities.AppByClientID(ctx, f.app.ClientID)
		require.NoError(t, err)
		grace := 1500 * time.Millisecond
		r2, err := e.app.Credentials.Rotate(ctx, caller.Caller{Credential: caller.AdminKey, AppID: a.ID, OrgID: f.org.ID},
			cred.APIKey, cred.Rotation{Confirmation: "yes", Grace: &grace})
		require.NoError(t, err)
		waitUntil(t, 30*time.Second, "the old key to expire", func() bool {
			_, err := admin(k0).App(ctx)
			return client.StatusOf(err) == http.StatusUnauthorized
		})
		_, err = admin(r2.Secret).App(ctx)
		require.NoError(t, err)

		h, err := admin(r2.Secret).CredentialHistory(ctx, client.CredentialHistoryQuery{CredentialType: "api_key"})
		require.NoError(t, err)
		require.Len(t, h.Events, 3)
		require.Equal(t, 3, h.Pagination.Count)
		require.Equal(t, 20, h.Pagination.Limit)
		require.Equal(t, "rollback", h.Events[1].Action)
		require.Equal(t, "broke the build", h.Events[1].Reason)
		require.Equal(t, "partner", h.Events[2].InitiatedBy)
		require.Equal(t, "scheduled", h.Events[2].Reason)
		require.NotEmpty(t, h.Events[2].IPAddress)
		require.NotEmpty(t, h.Events[2].UserAgent)
		h, err = admin(r2.Secret).CredentialHistory(ctx, client.CredentialHistoryQuery{Action: "rollback", Limit: 1})
		require.NoError(t, err)
		require.Len(t, h.Events, 1)
		_, err = admin(r2.Secret).CredentialHistory(ctx, client.CredentialHistoryQuery{CredentialType: "password"})
		apiErr(t, err, http.StatusBadRequest, "invalid_query_parameters")
		h, err = e.client(client.WithAPIKey(other.apiKey, "")).CredentialHistory(ctx, client.CredentialHistoryQuery{})
		require.NoError(t, err)
		require.Empty(t, h.Events, "another app sees none of this history")
	})
}

// TestClientAndWebhookSecretRotation: the old client secret keeps minting
// tokens during its grace period; the webhook secret changes at once and
// has no rollback; a sixth rotation within the hour answers 429 with
// Retry-After.
func TestClientAndWebhookSecretRotation(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("cs@example.com")
		admin := e.client(client.WithAPIKey(f.apiKey, f.app.ClientID))
		r, err := admin.RotateClientSecret(ctx, client.CredentialRotationRequest{ConfirmationToken: "x", GracePeriodHours: hours(2)})
		require.NoError(t, err)
		for _, secret := range []string{f.app.ClientSecret, r.NewCredential} {
			app := f.app
			app.ClientSecret = secret
			_, err := e.client().ClientCredentials(ctx, app, "")
			require.NoError(t, err)
		}
		require.NoError(t, admin.RollbackCredential(ctx, "client-secret", r.RollbackToken, ""))
		app := f.app
		app.ClientSecret = r.NewCredential
		_, err = e.client().ClientCredentials(ctx, app, "")
		apiErr(t, err, http.StatusUnauthorized, "invalid_client")

		w, err := admin.RotateWebhookSecret(ctx, client.CredentialRotationRequest{ConfirmationToken: "x", GracePeriodHours: hours(5)})
		require.NoError(t, err)
		require.Equal(t, "webhook_secret", w.CredentialType)
		require.NotEqual(t, f.webhookSecret, w.NewCredential)
		require.Empty(t, w.RollbackToken)
		require.Nil(t, w.GracePeriodEndsAt)
		for range cred.RotationsPerHour - 1 {
			_, err := admin.RotateWebhookSecret(ctx, client.CredentialRotationRequest{ConfirmationToken: "x"})
			require.NoError(t, err)
		}
		_, err = admin.RotateWebhookSecret(ctx, client.CredentialRotationRequest{ConfirmationToken: "x"})
		ce := apiErr(t, err, http.StatusTooManyRequests, "rate_limit_exceeded")
		require.NotEmpty(t, ce.RetryAfter)
		st, err := admin.CredentialStatus(ctx)
		require.NoError(t, err)
		require.NotNil(t, st.WebhookSecret.LastRotatedAt)
	})
}

// TestSuspendedAppAndRevokedConnectionStopAtOnce: suspending an app
// through its admin API, or revoking a user's connection, refuses the
// user's token on the very next request.
func TestSuspendedAppAndRevokedConnectionStopAtOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("sus@example.com")
		c := e.client()
		admin := c.With(client.WithAPIKey(f.apiKey, f.app.ClientID))
		tok, err := c.ExchangeCode(ctx, f.app, login(t, c, f, client.AuthorizeParams{State: "s"}), "")
		require.NoError(t, err)
		user := c.With(client.WithBearer(tok.AccessToken))
		_, err = user.Profile(ctx)
		require.NoError(t, err)

		_, err = admin.UpdateAppStatus(ctx, "suspended")
		require.NoError(t, err)
		_, err = user.Profile(ctx)
		apiErr(t, err, http.StatusUnauthorized, "unauthorized")
		_, err = c.ClientCredentials(ctx, f.app, "")
		apiErr(t, err, http.StatusUnauthorized, "invalid_client")
		_, err = admin.UpdateAppStatus(ctx, "active")
		require.NoError(t, err)
		_, err = user.Profile(ctx)
		require.NoError(t, err)

		conns, err := admin.UserConnections(ctx, client.UserConnectionQuery{UserID: f.user.UUID})
		require.NoError(t, err)
		require.Equal(t, 1, conns.Total)
		require.NoError(t, admin.RevokeUserConnection(ctx, conns.Items[0].ID))
		_, err = user.Profile(ctx)
		apiErr(t, err, http.StatusUnauthorized, "unauthorized")
		_, err = c.Refresh(ctx, f.app, tok.RefreshToken)
		require.Error(t, err)
	})
}
