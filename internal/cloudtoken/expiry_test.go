package cloudtoken

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

func TestExpiry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := identity.NewService(db, false)
		org, err := ids.CreateOrg(ctx, "Org")
		require.NoError(t, err)
		_, creds, err := ids.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: "App", RedirectURIs: []string{"http://127.0.0.1:9/cb"}})
		require.NoError(t, err)
		s := NewService(db, ids)
		now := time.Now().UTC()
		s.now = func() time.Time { return now }

		tok, expires, err := s.Mint(ctx, creds.CloudAPIKey, "u")
		require.NoError(t, err)
		require.Equal(t, now.Add(TTL), expires)
		n, err := s.PurgeExpired(ctx)
		require.NoError(t, err)
		require.Zero(t, n, "live tokens stay")

		now = now.Add(TTL)
		_, err = s.Authenticate(ctx, tok)
		require.ErrorIs(t, err, fault.ErrUnauthorized)
		n, err = s.PurgeExpired(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(1), n)
	})
}
