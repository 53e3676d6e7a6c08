package identity_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// tenant is an organization with one member and one app.
type tenant struct {
	org   identity.Org
	user  identity.User
	app   identity.App
	creds identity.Credentials
}

const password = "correct horse battery"

func newTenant(t *testing.T, s *identity.Service, email string) tenant {
	t.Helper()
	ctx := context.Background()
	org, err := s.CreateOrg(ctx, "Org of "+email)
	require.NoError(t, err)
	u, err := s.CreateUser(ctx, identity.NewUser{OrgID: org.ID, Email: email, Name: "Test User", Password: password})
	require.NoError(t, err)
	a, creds, err := s.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: "App of " + email, RedirectURIs: []string{"http://127.0.0.1:9/cb"}})
	require.NoError(t, err)
	return tenant{org: org, user: u, app: a, creds: creds}
}

// twoTenants runs fn on every backend with two unrelated tenants.
func twoTenants(t *testing.T, fn func(t *testing.T, s *identity.Service, a, b tenant)) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := identity.NewService(db, false)
		fn(t, s, newTenant(t, s, "ann@a.example"), newTenant(t, s, "bob@b.example"))
	})
}

func setStatus(t *testing.T, s *identity.Service, appID int64, st identity.AppStatus) {
	t.Helper()
	_, err := s.UpdateApp(context.Background(), appID, identity.AppPatch{Status: &st})
	require.NoError(t, err)
}

func TestUsersAndOrgs(t *testing.T) {
	twoTenants(t, func(t *testing.T, s *identity.Service, a, b tenant) {
		ctx := context.Background()
		u, err := s.User(ctx, a.user.ID)
		require.NoError(t, err)
		require.Equal(t, "ann@a.example", u.Email)
		require.True(t, u.HasPassword)
		o, err := s.Org(ctx, b.org.ID)
		require.NoError(t, err)
		require.Equal(t, b.org.UUID, o.UUID)
		o, err = s.OrgByUUID(ctx, a.org.UUID)
		require.NoError(t, err)
		require.Equal(t, a.org.ID, o.ID)
		_, err = s.OrgByUUID(ctx, "00000000-0000-4000-8000-000000000000")
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = s.User(ctx, 1<<40)
		require.ErrorIs(t, err, fault.ErrNotFound)

		u, err = s.UserByEmail(ctx, " ANN@a.example ")
		require.NoError(t, err)
		require.Equal(t, a.user.ID, u.ID)
		_, err = s.CreateUser(ctx, identity.NewUser{OrgID: b.org.ID, Email: "ann@a.example", Name: "Again"})
		require.ErrorIs(t, err, fault.ErrConflict)

		ms, err := s.Memberships(ctx, a.user.ID)
		require.NoError(t, err)
		require.Len(t, ms, 1)
		require.Equal(t, a.org.ID, ms[0].Org.ID)
		require.Equal(t, identity.RoleMember, ms[0].Role)

		_, err = s.Authenticate(ctx, "ann@a.example", password)
		require.NoError(t, err)
		_, err = s.Authenticate(ctx, "ann@a.example", "wrong password")
		require.ErrorIs(t, err, fault.ErrUnauthorized)
		_, err = s.Authenticate(ctx, "nobody@a.example", password)
		require.ErrorIs(t, err, fault.ErrUnauthorized)
	})
}

func TestAuthenticateClient(t *testing.T) {
	twoTenants(t, func(t *testing.T, s *identity.Service, a, b tenant) {
		ctx := context.Background()
		got, err := s.AuthenticateClient(ctx, a.app.ClientID, a.creds.ClientSecret)
		require.NoError(t, err)
		require.Equal(t, a.app.ID, got.ID)
		// One app's secret never authenticates another app.
		_, err = s.AuthenticateClient(ctx, b.app.ClientID, a.creds.ClientSecret)
		require.ErrorIs(t, err, fault.ErrUnauthorized)
		_, err = s.AuthenticateClient(ctx, "qc_unknown", a.creds.ClientSecret)
		require.ErrorIs(t, err, fault.ErrUnauthorized)

		setStatus(t, s, a.app.ID, identity.AppSuspended)
		_, err = s.AuthenticateClient(ctx, a.app.ClientID, a.creds.ClientSecret)
		require.ErrorIs(t, err, fault.ErrUnauthorized)
		_, err = s.AuthenticateClient(ctx, b.app.ClientID, b.creds.ClientSecret)
		require.NoError(t, err, "suspending one app leaves the other alone")
	})
}

func TestAppByKey(t *testing.T) {
	twoTenants(t, func(t *testing.T, s *identity.Service, a, b tenant) {
		ctx := context.Background()
		check := func(kind identity.CredentialKind, key string, want int64) {
			t.Helper()
			got, err := s.AppByKey(ctx, kind, key)
			if want == 0 {
				require.ErrorIs(t, err, fault.ErrUnauthorized, "%s %q", kind, key)
				return
			}
			require.NoError(t, err, "%s %q", kind, key)
			require.Equal(t, want, got.ID)
		}
		check(identity.CredAPIKey, a.creds.APIKey, a.app.ID)
		check(identity.CredAPIKey, b.creds.APIKey, b.app.ID)
		check(identity.CredCloudAPIKey, a.creds.CloudAPIKey, a.app.ID)
		// A key is only good as its own kind.
		check(identity.CredCloudAPIKey, a.creds.APIKey, 0)
		check(identity.CredAPIKey, a.creds.CloudAPIKey, 0)
		check(identity.CredAPIKey, a.creds.ClientSecret, 0)
		check(identity.CredAPIKey, "", 0)
		check(identity.CredAPIKey, "qak_unknown", 0)

		// A suspended or inactive app keeps only its admin key, so that it
		// can be reactivated.
		for _, st := range []identity.AppStatus{identity.AppSuspended, identity.AppInactive} {
			setStatus(t, s, a.app.ID, st)
			check(identity.CredCloudAPIKey, a.creds.CloudAPIKey, 0)
			check(identity.CredAPIKey, a.creds.APIKey, a.app.ID)
			check(identity.CredCloudAPIKey, b.creds.CloudAPIKey, b.app.ID)
		}
		setStatus(t, s, a.app.ID, identity.AppActive)
		check(identity.CredCloudAPIKey, a.creds.CloudAPIKey, a.app.ID)
	})
}

func TestMembershipForApp(t *testing.T) {
	twoTenants(t, func(t *testing.T, s *identity.Service, a, b tenant) {
		ctx := context.Background()
		m, err := s.MembershipForApp(ctx, a.user.ID, a.app)
		require.NoError(t, err)
		require.Equal(t, a.org.ID, m.Org.ID)
		_, err = s.MembershipForApp(ctx, a.user.ID, b.app)
		require.ErrorIs(t, err, fault.ErrForbidden)

		// Linking app B to org A lets org A's members authorize it.
		require.NoError(t, s.LinkApp(ctx, b.app.ID, a.org.ID))
		require.NoError(t, s.LinkApp(ctx, b.app.ID, a.org.ID), "linking twice is harmless")
		linked, err := s.AppByClientID(ctx, b.app.ClientID)
		require.NoError(t, err)
		require.ElementsMatch(t, []int64{a.org.ID, b.org.ID}, linked.OrgIDs)
		m, err = s.MembershipForApp(ctx, a.user.ID, linked)
		require.NoError(t, err)
		require.Equal(t, a.org.ID, m.Org.ID)
		require.ErrorIs(t, s.LinkApp(ctx, b.app.ID, 1<<40), fault.ErrNotFound)
	})
}

func TestWorkspaceOfApp(t *testing.T) {
	twoTenants(t, func(t *testing.T, s *identity.Service, a, b tenant) {
		ctx := context.Background()
		require.NoError(t, s.WorkspaceOfApp(ctx, a.app, ""))
		require.NoError(t, s.WorkspaceOfApp(ctx, a.app, a.org.UUID))
		err := s.WorkspaceOfApp(ctx, a.app, "not-a-uuid")
		fe, ok := fault.As(err)
		require.True(t, ok, "%v", err)
		require.Equal(t, fault.KindInvalid, fe.Kind)
		// Another tenant's workspace and a workspace that does not exist
		// look the same.
		for _, id := range []string{b.org.UUID, "00000000-0000-4000-8000-000000000000"} {
			fe, ok := fault.As(s.WorkspaceOfApp(ctx, a.app, id))
			require.True(t, ok)
			require.Equal(t, fault.KindNotFound, fe.Kind)
			require.Equal(t, "workspace_not_found", fe.Code)
		}
	})
}

func TestProfile(t *testing.T) {
	twoTenants(t, func(t *testing.T, s *identity.Service, a, b tenant) {
		ctx := context.Background()
		user := caller.Caller{Credential: caller.UserToken, OrgID: a.org.ID, AppID: a.app.ID, UserID: a.user.ID}
		u, m, err := s.Profile(ctx, user)
		require.NoError(t, err)
		require.Equal(t, a.user.UUID, u.UUID)
		require.Equal(t, a.org.UUID, m.Org.UUID)
		require.Equal(t, identity.RoleMember, m.Role)

		_, _, err = s.Profile(ctx, caller.Caller{Credential: caller.AppToken, OrgID: a.org.ID, AppID: a.app.ID})
		fe, ok := fault.As(err)
		require.True(t, ok)
		require.Equal(t, fault.KindForbidden, fe.Kind)
		require.Equal(t, "forbidden", fe.Code)

		// Org A's user is not visible through org B.
		_, _, err = s.Profile(ctx, caller.Caller{Credential: caller.UserToken, OrgID: b.org.ID, AppID: b.app.ID, UserID: a.user.ID})
		require.ErrorIs(t, err, fault.ErrNotFound)
	})
}

func TestUpdateAppProvisioning(t *testing.T) {
	twoTenants(t, func(t *testing.T, s *identity.Service, a, b tenant) {
		ctx := context.Background()
		require.False(t, a.app.ProvisionUsers, "provisioning is off by default")
		on := true
		got, err := s.UpdateApp(ctx, a.app.ID, identity.AppPatch{ProvisionUsers: &on})
		require.NoError(t, err)
		require.True(t, got.ProvisionUsers)
		reloaded, err := s.AppByClientID(ctx, a.app.ClientID)
		require.NoError(t, err)
		require.True(t, reloaded.ProvisionUsers)
		other, err := s.AppByClientID(ctx, b.app.ClientID)
		require.NoError(t, err)
		require.False(t, other.ProvisionUsers)
	})
}
