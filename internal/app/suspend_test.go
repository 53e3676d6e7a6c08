package app_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/identity"
)

// TestSuspendedAppStopsEverywhere suspends an app through the identity
// service: every credential it holds stops on the next request, on every
// surface, except its admin API key, which can reactivate it.
func TestSuspendedAppStopsEverywhere(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("sue@example.com")
		other := e.fixture("oz@example.com")
		c := e.client()
		tok, err := c.ExchangeCode(ctx, f.app, login(t, c, f, client.AuthorizeParams{State: "s"}), "")
		require.NoError(t, err)
		ct, err := c.CreateCloudToken(ctx, f.cloudKey, "sue@example.com")
		require.NoError(t, err)
		otherCT, err := c.CreateCloudToken(ctx, other.cloudKey, "oz@example.com")
		require.NoError(t, err)
		user := c.With(client.WithBearer(tok.AccessToken))
		cloud := c.With(client.WithBearer(ct.CloudToken))
		admin := c.With(client.WithAPIKey(f.apiKey, f.app.ClientID))
		_, err = user.Profile(ctx)
		require.NoError(t, err)
		_, err = cloud.ImportMeeting(ctx, client.NewMeeting{Title: "Before"})
		require.NoError(t, err)

		a, err := e.app.Identities.AppByClientID(ctx, f.app.ClientID)
		require.NoError(t, err)
		suspended := identity.AppSuspended
		_, err = e.app.Identities.UpdateApp(ctx, a.ID, identity.AppPatch{Status: &suspended})
		require.NoError(t, err)

		_, err = c.CreateCloudToken(ctx, f.cloudKey, "sue@example.com")
		apiErr(t, err, 401, "")
		_, err = cloud.ImportMeeting(ctx, client.NewMeeting{Title: "After"})
		apiErr(t, err, 401, "")
		_, err = user.Profile(ctx)
		apiErr(t, err, 401, "unauthorized")
		_, err = user.UserInfo(ctx)
		apiErr(t, err, 401, "")
		_, err = c.ClientCredentials(ctx, f.app, "")
		apiErr(t, err, 401, "invalid_client")
		_, err = c.Refresh(ctx, f.app, tok.RefreshToken)
		apiErr(t, err, 401, "invalid_client")

		// Another app is untouched.
		_, err = c.With(client.WithBearer(otherCT.CloudToken)).ImportMeeting(ctx, client.NewMeeting{Title: "Other"})
		require.NoError(t, err)

		// The admin key still works, and reactivates the app.
		got, err := admin.App(ctx)
		require.NoError(t, err)
		require.Equal(t, "suspended", got.Status)
		_, err = admin.UpdateAppStatus(ctx, "active")
		require.NoError(t, err)
		_, err = user.Profile(ctx)
		require.NoError(t, err)
		_, err = cloud.ImportMeeting(ctx, client.NewMeeting{Title: "Again"})
		require.NoError(t, err)
	})
}
