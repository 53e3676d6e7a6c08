package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// env is one running server with its app and captured log.
type env struct {
	t   *testing.T
	app *app.App
	srv *httptest.Server
	log *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// eachBackend runs fn against a fresh server on every available database.
func eachBackend(t *testing.T, fn func(t *testing.T, e *env), settings ...string) {
	t.Helper()
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			fn(t, newEnv(t, url, settings...))
		})
	}
}

func newEnv(t *testing.T, dbURL string, settings ...string) *env {
	t.Helper()
	args := append([]string{"--database-url", dbURL, "--data-dir", t.TempDir()}, settings...)
	cfg, _, err := config.Load(args, nil, io.Discard)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	buf := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := app.Open(context.Background(), cfg, logger)
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatalf("start app: %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", lastLines(buf.String(), 30))
		}
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Close(ctx); err != nil {
			t.Errorf("close app: %v", err)
		}
	})
	return &env{t: t, app: a, srv: srv, log: buf}
}

// fixture is an organization with one user and one app.
type fixture struct {
	org      identity.Org
	user     identity.User
	password string
	app      client.App
	apiKey   string
	cloudKey string
	// webhookSecret signs the app's webhook deliveries.
	webhookSecret string
}

func (e *env) fixture(email string, scopes ...string) fixture {
	e.t.Helper()
	ctx := context.Background()
	org, err := e.app.Identities.CreateOrg(ctx, "Org of "+email)
	if err != nil {
		e.t.Fatal(err)
	}
	const password = "correct horse battery"
	u, err := e.app.Identities.CreateUser(ctx, identity.NewUser{OrgID: org.ID, Email: email, Name: "Test User", Password: password})
	if err != nil {
		e.t.Fatal(err)
	}
	redirect := "http://127.0.0.1:9/callback"
	a, creds, err := e.app.Identities.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: "App of " + email, RedirectURIs: []string{redirect}, Scopes: scopes})
	if err != nil {
		e.t.Fatal(err)
	}
	return fixture{org: org, user: u, password: password,
		app:    client.App{ClientID: a.ClientID, ClientSecret: creds.ClientSecret, RedirectURI: redirect},
		apiKey: creds.APIKey, cloudKey: creds.CloudAPIKey, webhookSecret: creds.WebhookSecret}
}

func (e *env) client(opts ...client.Option) *client.Client {
	return client.New(e.srv.URL, opts...)
}

var otpPattern = regexp.MustCompile(`\b(\d{6})\b`)

// lastOTP reads the newest sign-in code mailed to email from the log, where
// mail goes when no SMTP server is configured.
func (e *env) lastOTP(email string) string {
	e.t.Helper()
	code := ""
	sc := bufio.NewScanner(bytes.NewReader([]byte(e.log.String())))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec struct {
			Msg  string `json:"msg"`
			To   string `json:"to"`
			Body string `json:"body"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "outgoing mail" && rec.To == email {
			if m := otpPattern.FindStringSubmatch(rec.Body); m != nil {
				code = m[1]
			}
		}
	}
	if code == "" {
		e.t.Fatalf("no sign-in code mailed to %s", email)
	}
	return code
}

// apiErr asserts err is a *client.Error with the status and code.
func apiErr(t *testing.T, err error, status int, code string) *client.Error {
	t.Helper()
	ce, ok := err.(*client.Error)
	if !ok {
		t.Fatalf("want *client.Error %d %s, got %T %v", status, code, err, err)
	}
	if ce.Status != status || (code != "" && ce.Code != code) {
		t.Fatalf("want %d %s, got %d %s (%s)", status, code, ce.Status, ce.Code, ce.Message)
	}
	return ce
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
