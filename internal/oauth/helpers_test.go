package oauth_test

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/mail"
	"github.com/quorumhq/quorum/internal/oauth"
	"github.com/quorumhq/quorum/internal/store"
)

// mailbox records the mail a service sends.
type mailbox struct {
	mu   sync.Mutex
	sent []mail.Message
}

func (m *mailbox) Send(_ context.Context, msg mail.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, msg)
	return nil
}

var codePattern = regexp.MustCompile(`\b(\d{6})\b`)

// lastCode returns the newest sign-in code mailed to addr, or "".
func (m *mailbox) lastCode(addr string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.sent) - 1; i >= 0; i-- {
		if m.sent[i].To == addr {
			if c := codePattern.FindStringSubmatch(m.sent[i].Body); c != nil {
				return c[1]
			}
		}
	}
	return ""
}

func (m *mailbox) count(addr string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, msg := range m.sent {
		if msg.To == addr {
			n++
		}
	}
	return n
}

// env is one database with the identity and OAuth services on it.
type env struct {
	db   *store.DB
	ids  *identity.Service
	svc  *oauth.Service
	mail *mailbox
}

func newEnv(db *store.DB) *env {
	ids := identity.NewService(db, false)
	box := &mailbox{}
	return &env{db: db, ids: ids, svc: oauth.NewService(db, ids, box, slog.New(slog.NewTextHandler(io.Discard, nil))), mail: box}
}

// tenant is an organization with one member and one app.
type tenant struct {
	org      identity.Org
	user     identity.User
	password string
	app      identity.App
	creds    identity.Credentials
}

const redirectURI = "http://127.0.0.1:9/callback"

func (e *env) tenant(t *testing.T, email string) tenant {
	t.Helper()
	ctx := context.Background()
	org, err := e.ids.CreateOrg(ctx, "Org of "+email)
	require.NoError(t, err)
	const password = "correct horse battery"
	u, err := e.ids.CreateUser(ctx, identity.NewUser{OrgID: org.ID, Email: email, Name: "Test User", Password: password})
	require.NoError(t, err)
	a, creds, err := e.ids.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: "App of " + email, RedirectURIs: []string{redirectURI}})
	require.NoError(t, err)
	return tenant{org: org, user: u, password: password, app: a, creds: creds}
}

// code approves the tenant's app for its user and returns the code.
func (e *env) code(t *testing.T, tn tenant) string {
	t.Helper()
	req := oauth.AuthorizeRequest{ClientID: tn.app.ClientID, RedirectURI: redirectURI, ResponseType: "code"}
	code, err := e.svc.Approve(context.Background(), tn.app, tn.user, req, []string{"openid", "profile"})
	require.NoError(t, err)
	return code
}

// parallel runs fn n times at once and returns how many calls succeeded.
func parallel(n int, fn func(i int) error) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	start := make(chan struct{})
	ok := 0
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if fn(i) == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	return ok
}
