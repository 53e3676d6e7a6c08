package cloudtoken_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/cloudtoken"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

type tenant struct {
	org   identity.Org
	user  identity.User
	app   identity.App
	creds identity.Credentials
}

func newTenant(t *testing.T, ids *identity.Service, email string) tenant {
	t.Helper()
	ctx := context.Background()
	org, err := ids.CreateOrg(ctx, "Org of "+email)
	require.NoError(t, err)
	u, err := ids.CreateUser(ctx, identity.NewUser{OrgID: org.ID, Email: email, Name: "Test User"})
	require.NoError(t, err)
	a, creds, err := ids.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: "App of " + email, RedirectURIs: []string{"http://127.0.0.1:9/cb"}})
	require.NoError(t, err)
	return tenant{org: org, user: u, app: a, creds: creds}
}

func twoTenants(t *testing.T, fn func(t *testing.T, ids *identity.Service, s *cloudtoken.Service, a, b tenant)) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ids := identity.NewService(db, false)
		fn(t, ids, cloudtoken.NewService(db, ids), newTenant(t, ids, "ann@a.example"), newTenant(t, ids, "bob@b.example"))
	})
}

func TestMintAndAuthenticate(t *testing.T) {
	twoTenants(t, func(t *testing.T, ids *identity.Service, s *cloudtoken.Service, a, b tenant) {
		ctx := context.Background()
		tokA, _, err := s.Mint(ctx, a.creds.CloudAPIKey, " end-user-42 ")
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(tokA, cloudtoken.Prefix))
		tokB, _, err := s.Mint(ctx, b.creds.CloudAPIKey, "end-user-42")
		require.NoError(t, err)

		// Each token resolves to its own app and organization only.
		c, err := s.Authenticate(ctx, tokA)
		require.NoError(t, err)
		require.Equal(t, caller.Caller{Credential: caller.CloudToken, OrgID: a.org.ID, AppID: a.app.ID, UserRef: "end-user-42", TokenID: c.TokenID}, c)
		require.NotZero(t, c.TokenID)
		c, err = s.Authenticate(ctx, tokB)
		require.NoError(t, err)
		require.Equal(t, b.org.ID, c.OrgID)
		require.Equal(t, b.app.ID, c.AppID)

		for _, bad := range []string{"", "ct_unknown", "sk_live_x", a.creds.CloudAPIKey} {
			_, err := s.Authenticate(ctx, bad)
			require.ErrorIs(t, err, fault.ErrUnauthorized, bad)
		}
		// Only the cloud API key mints; the admin key and the client secret
		// do not.
		for _, key := range []string{a.creds.APIKey, a.creds.ClientSecret, "", "sk_live_unknown"} {
			_, _, err := s.Mint(ctx, key, "u")
			require.ErrorIs(t, err, fault.ErrUnauthorized, key)
		}
		_, _, err = s.Mint(ctx, a.creds.CloudAPIKey, "  ")
		require.ErrorIs(t, err, fault.ErrInvalid)
	})
}

func TestMemberActsInOwnOrganization(t *testing.T) {
	twoTenants(t, func(t *testing.T, ids *identity.Service, s *cloudtoken.Service, a, b tenant) {
		ctx := context.Background()
		// App A is linked to org B too: org B's member acts in org B, an
		// unknown end user in the app's first organization.
		require.NoError(t, ids.LinkApp(ctx, a.app.ID, b.org.ID))
		tok, _, err := s.Mint(ctx, a.creds.CloudAPIKey, b.user.Email)
		require.NoError(t, err)
		c, err := s.Authenticate(ctx, tok)
		require.NoError(t, err)
		require.Equal(t, b.org.ID, c.OrgID)
		tok, _, err = s.Mint(ctx, a.creds.CloudAPIKey, "someone@else.example")
		require.NoError(t, err)
		c, err = s.Authenticate(ctx, tok)
		require.NoError(t, err)
		require.Equal(t, a.org.ID, c.OrgID)

		// Without the link, org B's member gets no way into org B.
		tok, _, err = s.Mint(ctx, b.creds.CloudAPIKey, a.user.Email)
		require.NoError(t, err)
		c, err = s.Authenticate(ctx, tok)
		require.NoError(t, err)
		require.Equal(t, b.org.ID, c.OrgID)
	})
}

func TestSuspendedApp(t *testing.T) {
	twoTenants(t, func(t *testing.T, ids *identity.Service, s *cloudtoken.Service, a, b tenant) {
		ctx := context.Background()
		tokA, _, err := s.Mint(ctx, a.creds.CloudAPIKey, "u")
		require.NoError(t, err)
		tokB, _, err := s.Mint(ctx, b.creds.CloudAPIKey, "u")
		require.NoError(t, err)
		set := func(st identity.AppStatus) {
			_, err := ids.UpdateApp(ctx, a.app.ID, identity.AppPatch{Status: &st})
			require.NoError(t, err)
		}
		for _, st := range []identity.AppStatus{identity.AppSuspended, identity.AppInactive} {
			set(st)
			_, _, err = s.Mint(ctx, a.creds.CloudAPIKey, "u")
			require.ErrorIs(t, err, fault.ErrUnauthorized, st)
			_, err = s.Authenticate(ctx, tokA)
			require.ErrorIs(t, err, fault.ErrUnauthorized, st)
			_, err = s.Authenticate(ctx, tokB)
			require.NoError(t, err, "another app's token is unaffected")
		}
		set(identity.AppActive)
		_, err = s.Authenticate(ctx, tokA)
		require.NoError(t, err)
	})
}
