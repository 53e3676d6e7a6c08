package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/calendar"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/identity"
)

const adminUsage = `Usage:
  quorum admin org create   --name N
  quorum admin user create  --org ID --email E --name N [--password P] [--role owner|admin|member]
  quorum admin app create   --org ID --name N --redirect-uri U [--redirect-uri U]... [--scope S]...
  quorum admin app link     --client-id C --org ID
  quorum admin app set      --client-id C [--status S] [--provision-users true|false]
  quorum admin token create --client-id C --user EMAIL [--scope S]...
  quorum admin meeting merge --org ID --from MEETING --into MEETING
  quorum admin meeting copy  --org ID --meeting MEETING [--to-org ID]
  quorum admin calendar add  --user EMAIL [--org ID] (--url U | --file F) [--name N]
  quorum admin credential rotate  --client-id C --type api_key|client_secret|webhook_secret [--grace 24h] [--reason R]
  quorum admin credential status  --client-id C
  quorum admin connection list    --client-id C [--status active|revoked|expired] [--user UUID] [--limit N] [--offset N]
  quorum admin connection revoke  --client-id C --id CONNECTION
  quorum admin delivery list      --client-id C [--status S] [--event-type T] [--limit N] [--offset N]
` + toolkitUsage + `
Each command takes --json for machine-readable output, and --data-dir or
--database-url to pick the database (default: the QUORUM_* environment).
`

// multi collects a repeatable flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

type adminCmd struct {
	fs      *flag.FlagSet
	asJSON  *bool
	dataDir *string
	dbURL   *string
}

func newAdminCmd(name string, stderr io.Writer) *adminCmd {
	fs := flag.NewFlagSet("quorum admin "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &adminCmd{
		fs:      fs,
		asJSON:  fs.Bool("json", false, "print JSON"),
		dataDir: fs.String("data-dir", "", "data directory (default $QUORUM_DATA_DIR)"),
		dbURL:   fs.String("database-url", "", "database URL (default $QUORUM_DATABASE_URL)"),
	}
}

// open loads the config the same way serve does, so admin commands act on
// the database the server uses.
func (c *adminCmd) open(ctx context.Context, environ []string, stderr io.Writer) (*app.App, error) {
	var args []string
	if *c.dataDir != "" {
		args = append(args, "--data-dir", *c.dataDir)
	}
	if *c.dbURL != "" {
		args = append(args, "--database-url", *c.dbURL)
	}
	cfg, _, err := config.Load(args, environ, stderr)
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return app.Open(ctx, cfg, logger)
}

// print writes v as JSON, or as sorted "key: value" lines for people.
func (c *adminCmd) print(w io.Writer, v map[string]any) error {
	if *c.asJSON {
		return json.NewEncoder(w).Encode(v)
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%s: %v\n", k, v[k])
	}
	return nil
}

func admin(ctx context.Context, args, environ []string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, adminUsage)
		return fmt.Errorf("admin needs a resource and a command")
	}
	name := args[0] + " " + args[1]
	c := newAdminCmd(name, stderr)
	var run func(ctx context.Context, a *app.App) (map[string]any, error)
	switch name {
	case "org create":
		orgName := c.fs.String("name", "", "organization name")
		run = func(ctx context.Context, a *app.App) (map[string]any, error) {
			o, err := a.Identities.CreateOrg(ctx, *orgName)
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": o.ID, "uuid": o.UUID, "name": o.Name}, nil
		}
	case "user create":
		org := c.fs.String("org", "", "organization id or uuid")
		email := c.fs.String("email", "", "email address")
		userName := c.fs.String("name", "", "display name")
		password := c.fs.String("password", "", "password (8 to 72 bytes); omit for email-code sign-in only")
		role := c.fs.String("role", "member", "owner, admin or member")
		run = func(ctx context.Context, a *app.App) (map[string]any, error) {
			orgID, err := resolveOrg(ctx, a, *org)
			if err != nil {
				return nil, err
			}
			u, err := a.Identities.CreateUser(ctx, identity.NewUser{OrgID: orgID, Email: *email, Name: *userName, Password: *password, Role: identity.Role(*role)})
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": u.ID, "uuid": u.UUID, "email": u.Email}, nil
		}
	case "app create":
		org := c.fs.String("org", "", "organization id or uuid")
		appName := c.fs.String("name", "", "app name")
		var redirects, scopes multi
		c.fs.Var(&redirects, "redirect-uri", "allowed OAuth redirect URI (repeatable)")
		c.fs.Var(&scopes, "scope", "allowed scope (repeatable; default: all)")
		run = func(ctx context.Context, a *app.App) (map[string]any, error) {
			orgID, err := resolveOrg(ctx, a, *org)
			if err != nil {
				return nil, err
			}
			ap, creds, err := a.Identities.CreateApp(ctx, identity.NewApp{OrgID: orgID, Name: *appName, RedirectURIs: redirects, Scopes: scopes})
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": ap.ID, "uuid": ap.UUID, "client_id": ap.ClientID, "client_secret": creds.ClientSecret,
				"api_key": creds.APIKey, "cloud_api_key": creds.CloudAPIKey, "webhook_secret": creds.WebhookSecret}, nil
		}
	case "app link":
		clientID := c.fs.String("client-id", "", "the app's client id")
		org := c.fs.String("org", "", "organization id or uuid to link the app to")
		run = func(ctx context.Context, a *app.App) (map[string]any, error) {
			orgID, err := resolveOrg(ctx, a, *org)
			if err != nil {
				return nil, err
			}
			ap, err := a.Identities.AppByClientID(ctx, *clientID)
			if err != nil {
				return nil, fmt.Errorf("client %q: %w", *clientID, err)
			}
			if err := a.Identities.LinkApp(ctx, ap.ID, orgID); err != nil {
				return nil, err
			}
			return map[string]any{"client_id": ap.ClientID, "org_id": orgID}, nil
		}
	case "app set":
		clientID := c.fs.String("client-id", "", "the app's client id")
		status := c.fs.String("status", "", "active, suspended or inactive")
		provision := c.fs.String("provision-users", "", "true: /auth/initiate creates unknown users in the app's first organization")
		run = func(ctx context.Context, a *app.App) (map[string]any, error) {
			ap, err := a.Identities.AppByClientID(ctx, *clientID)
			if err != nil {
				return nil, fmt.Errorf("client %q: %w", *clientID, err)
			}
			var p identity.AppPatch
			if *status != "" {
				st := identity.AppStatus(*status)
				p.Status = &st
			}
			if *provision != "" {
				b, err := strconv.ParseBool(*provision)
				if err != nil {
					return nil, fmt.Errorf("--provision-users: want true or false")
				}
				p.ProvisionUsers = &b
			}
			ap, err = a.Identities.UpdateApp(ctx, ap.ID, p)
			if err != nil {
				return nil, err
			}
			return map[string]any{"client_id": ap.ClientID, "status": string(ap.Status), "provision_users": ap.ProvisionUsers}, nil
		}
	case "token create":
		clientID := c.fs.String("client-id", "", "the app's client id")
		user := c.fs.String("user", "", "email of the user the token acts for")
		var scopes multi
		c.fs.Var(&scopes, "scope", "scope to grant (repeatable; default: the SDK's default scopes)")
		run = func(ctx context.Context, a *app.App) (map[string]any, error) {
			ap, err := a.Identities.AppByClientID(ctx, *clientID)
			if err != nil {
				return nil, fmt.Errorf("client %q: %w", *clientID, err)
			}
			u, err := a.Identities.UserByEmail(ctx, *user)
			if err != nil {
				return nil, fmt.Errorf("user %q: %w", *user, err)
			}
			t, err := a.OAuth.IssueForUser(ctx, ap, u, strings.Join(scopes, " "))
			if err != nil {
				return nil, err
			}
			return map[string]any{"access_token": t.AccessToken, "refresh_token": t.RefreshToken, "expires_in": t.ExpiresIn, "scope": t.Scope}, nil
		}
	case "meeting merge":
		org := c.fs.String("org", "", "organization id or uuid of both meetings")
		from := c.fs.String("from", "", "the meeting to merge (it then redirects to --into)")
		into := c.fs.String("into", "", "the meeting that receives it")
		run = func(ctx context.Context, a *app.App) (map[string]any, error) {
			orgID, err := resolveOrg(ctx, a, *org)
			if err != nil {
				return nil, err
			}
			m, err := a.Meetings.Merge(ctx, caller.ForSystem(orgID), *from, *into)
			if err != nil {
				return nil, err
			}
			return map[string]any{"merged": *from, "into": m.UUID}, nil
		}
	case "meeting copy":
		org := c.fs.String("org", "", "organization id or uuid of the meeting")
		id := c.fs.String("meeting", "", "the meeting to copy")
		toOrg := c.fs.String("to-org", "", "organization to copy it into (default: the same)")
		run = func(ctx context.Context, a *app.App) (map[string]any, error) {
			orgID, err := resolveOrg(ctx, a, *org)
			if err != nil {
				return nil, err
			}
			target := orgID
			if *toOrg != "" {
				if target, err = resolveOrg(ctx, a, *toOrg); err != nil {
					return nil, err
				}
			}
			m, err := a.Meetings.Copy(ctx, caller.ForSystem(orgID), *id, target)
			if err != nil {
				return nil, err
			}
			return map[string]any{"copy": m.UUID, "copied_from": m.CopiedFrom, "org_id": target}, nil
		}
	case "calendar add":
		user := c.fs.String("user", "", "email of the user the calendar belongs to")
		org := c.fs.String("org", "", "organization id or uuid (default: the user's first)")
		feedURL := c.fs.String("url", "", "ICS feed URL (http, https or webcal), refreshed periodically")
		file := c.fs.String("file", "", "ICS file to upload")
		feedName := c.fs.String("name", "", "calendar name")
		run = func(ctx context.Context, a *app.App) (map[string]any, error) {
			c, err := userCaller(ctx, a, *user, *org)
			if err != nil {
				return nil, err
			}
			n := calendar.NewFeed{Name: *feedName, URL: *feedURL}
			if *file != "" {
				if n.ICS, err = os.ReadFile(*file); err != nil {
					return nil, err
				}
			}
			f, err := a.Calendar.AddFeed(ctx, c, n)
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": f.UUID, "name": f.Name, "url": f.URL, "event_count": f.EventCount, "last_error": f.LastError}, nil
		}
	default:
		var ok bool
		if run, ok = toolkitCommand(name, c); !ok {
			run = partnerAdminCommand(c, name)
		}
		if run == nil {
			run, _ = meetingsAPICommand(name, c)
		}
		if run == nil {
			fmt.Fprint(stderr, adminUsage+meetingsAPIUsage)
			return fmt.Errorf("unknown admin command %q", name)
		}
	}
	if err := c.fs.Parse(args[2:]); err != nil {
		return err
	}
	if c.fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(c.fs.Args(), " "))
	}
	a, err := c.open(ctx, environ, stderr)
	if err != nil {
		return err
	}
	defer a.Close(context.Background())
	out, err := run(ctx, a)
	if err != nil {
		return err
	}
	return c.print(stdout, out)
}

// userCaller is the caller of a user acting in an organization: the one
// named, or the user's first.
func userCaller(ctx context.Context, a *app.App, email, org string) (caller.Caller, error) {
	u, err := a.Identities.UserByEmail(ctx, email)
	if err != nil {
		return caller.Caller{}, fmt.Errorf("user %q: %w", email, err)
	}
	ms, err := a.Identities.Memberships(ctx, u.ID)
	if err != nil {
		return caller.Caller{}, err
	}
	if len(ms) == 0 {
		return caller.Caller{}, fmt.Errorf("user %q belongs to no organization", email)
	}
	orgID := ms[0].Org.ID
	if org != "" {
		if orgID, err = resolveOrg(ctx, a, org); err != nil {
			return caller.Caller{}, err
		}
	}
	for _, m := range ms {
		if m.Org.ID == orgID {
			return caller.Caller{Credential: caller.System, OrgID: orgID, UserID: u.ID, UserRef: u.Email}, nil
		}
	}
	return caller.Caller{}, fmt.Errorf("user %q is no member of organization %s", email, org)
}

// resolveOrg accepts an organization's numeric id or its uuid.
func resolveOrg(ctx context.Context, a *app.App, ref string) (int64, error) {
	if ref == "" {
		return 0, fmt.Errorf("--org is required")
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return id, nil
	}
	o, err := a.Identities.OrgByUUID(ctx, ref)
	if err != nil {
		return 0, fmt.Errorf("organization %q: %w", ref, err)
	}
	return o.ID, nil
}
