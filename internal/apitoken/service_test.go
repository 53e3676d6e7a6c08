package apitoken_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/apitoken"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

func TestTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := identity.NewService(db, false)
		a, err := ids.CreateOrg(ctx, "A")
		require.NoError(t, err)
		b, err := ids.CreateOrg(ctx, "B")
		require.NoError(t, err)
		appA, _, err := ids.CreateApp(ctx, identity.NewApp{OrgID: a.ID, Name: "A app", RedirectURIs: []string{"https://a.example/cb"}})
		require.NoError(t, err)
		appB, _, err := ids.CreateApp(ctx, identity.NewApp{OrgID: b.ID, Name: "B app", RedirectURIs: []string{"https://b.example/cb"}})
		require.NoError(t, err)
		userA, err := ids.CreateUser(ctx, identity.NewUser{OrgID: a.ID, Email: "u@a.example", Name: "U"})
		require.NoError(t, err)
		svc := apitoken.NewService(db)

		tok, err := svc.Issue(ctx, appA)
		require.NoError(t, err)
		require.Equal(t, 10800, tok.ExpiresIn)
		c, err := svc.Authenticate(ctx, tok.AccessToken)
		require.NoError(t, err)
		require.Equal(t, caller.AppToken, c.Credential)
		require.Equal(t, appA.ID, c.AppID)
		orgs, err := svc.Orgs(ctx, c)
		require.NoError(t, err)
		require.Equal(t, []int64{a.ID}, orgs)

		// Only the token's own app revokes it, once.
		require.NoError(t, svc.Revoke(ctx, appB, tok.AccessToken))
		_, err = svc.Authenticate(ctx, tok.AccessToken)
		require.NoError(t, err)
		require.NoError(t, svc.Revoke(ctx, appA, tok.AccessToken))
		_, err = svc.Authenticate(ctx, tok.AccessToken)
		require.ErrorIs(t, err, fault.ErrUnauthorized)

		// A personal token names its user in the user's organization only.
		pt, err := svc.IssuePersonal(ctx, userA.ID)
		require.NoError(t, err)
		id, email, err := svc.PersonalUser(ctx, a.ID, pt)
		require.NoError(t, err)
		require.Equal(t, userA.ID, id)
		require.Equal(t, "u@a.example", email)
		_, _, err = svc.PersonalUser(ctx, b.ID, pt)
		require.ErrorIs(t, err, fault.ErrInvalid)
		_, err = svc.Authenticate(ctx, pt)
		require.Error(t, err, "a personal token is not an access token")
	})
}
