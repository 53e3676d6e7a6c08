package toolkit_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/nextstep"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
	"github.com/quorumhq/quorum/internal/template"
	"github.com/quorumhq/quorum/internal/toolkit"
)

func TestParseManifest(t *testing.T) {
	cases := []struct {
		name, manifest string
		code, path     string // first error; "" for a valid manifest
	}{
		{"empty object", `{}`, "", ""},
		{"array", `[]`, "invalid_type", ""},
		{"wrong field type", `{"templates":"x"}`, "invalid_json", ""},
		{"id and spec", `{"templates":[{"id":"6f1c2a4e-0000-4000-8000-000000000000","spec":{"name":"t"}}]}`, "mutually_exclusive", "templates[0]"},
		{"neither", `{"shortcuts":[{}]}`, "required", "shortcuts[0]"},
		{"bad id", `{"next_steps":[{"id":"nope"}]}`, "invalid_id", "next_steps[0].id"},
		{"no name", `{"templates":[{"spec":{}}]}`, "required", "templates[0].spec.name"},
		{"bad delivery", `{"action_buttons":[{"spec":{"name":"b","content_format":"markdown","delivery_mechanism":"fax"}}]}`, "invalid_value",
			"action_buttons[0].spec.delivery_mechanism"},
		{"webhook without url", `{"action_buttons":[{"spec":{"name":"b","content_format":"markdown","delivery_mechanism":"webhook"}}]}`,
			"required", "action_buttons[0].spec.webhook_url"},
		{"bad step type", `{"next_steps":[{"spec":{"name":"s","type":"magic"}}]}`, "invalid_value", "next_steps[0].spec.type"},
		{"unresolved ref", `{"templates":[{"spec":{"name":"t"},"next_steps":[{"next_step":{"$ref":"x"}}]}]}`, "unresolved_ref",
			"templates[0].next_steps[0].next_step.$ref"},
		{"duplicate local id", `{"next_steps":[{"spec":{"$id":"a","name":"x","type":"ai"}},{"spec":{"$id":"a","name":"y","type":"ai"}}]}`,
			"duplicate_id", "next_steps[1].spec.$id"},
		{"bad participant", `{"templates":[{"spec":{"name":"t","participants":[{"email":"x@y.z","name":"X","role":"OWNER"}]}}]}`, "invalid_value",
			"templates[0].spec.participants[0].role"},
		{"too many surfaces", `{"shortcuts":[{"spec":{"name":"s","prompt":"p","surfaces":[{"surface":"HOME"},{"surface":"HOME"},{"surface":"HOME"},
			{"surface":"HOME"},{"surface":"HOME"},{"surface":"HOME"}]}}]}`, "too_many", "shortcuts[0].spec.surfaces"},
		{"cyclic workflow", `{"workflows":[{"spec":{"name":"w","spec":{"nodes":[{"id":"a","type":"noop","depends_on":["a"]}]}}}]}`, "cycle",
			"workflows[0].spec.spec.nodes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, v := toolkit.ParseManifest(json.RawMessage(c.manifest))
			if c.code == "" {
				require.True(t, v.Valid, "%+v", v.Errors)
				return
			}
			require.False(t, v.Valid)
			require.Equal(t, c.code, v.Errors[0].Code, "%+v", v.Errors)
			require.Equal(t, c.path, v.Errors[0].Path)
		})
	}
}

const manifest = `{"action_buttons":[{"spec":{"$id":"open","name":"Open","content_format":"plain_text","delivery_mechanism":"redirect",
  "redirect_url":"https://x.example.com/{meeting_id}"}}],
"next_steps":[{"spec":{"$id":"recap","name":"Recap","type":"ai","ai_prompt":"Summarize"},"action_buttons":[{"action_button":{"$ref":"open"}}]}],
"templates":[{"spec":{"$id":"weekly","name":"Weekly"},"next_steps":[{"next_step":{"$ref":"recap"}}]}],
"shortcuts":[{"spec":{"name":"Short","prompt":"p"}}],
"workflows":[{"spec":{"$id":"w","name":"Flow","spec":{"nodes":[{"id":"a","type":"noop"}]}}}],
"canvas_templates":[{"spec":{"name":"Board"}}]}`

type fixture struct {
	db        *store.DB
	svc       *toolkit.Service
	templates *template.Service
	// adminA and adminB are two apps' admin keys, each app linked to its
	// own workspace; userA and userB are users of those workspaces.
	adminA, adminB, userA, userB caller.Caller
}

func newFixture(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, jobs.Migrate(ctx, db))
	q, err := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Config{InsertOnly: true})
	require.NoError(t, err)
	ids := identity.NewService(db, false)
	f := fixture{db: db, svc: toolkit.NewService(db, q, nil),
		templates: template.NewService(template.Config{DB: db, Queue: q, NextSteps: nextstep.NewService(nextstep.Config{DB: db, Queue: q})})}
	for i, name := range []string{"A", "B"} {
		org, err := ids.CreateOrg(ctx, name)
		require.NoError(t, err)
		u, err := ids.CreateUser(ctx, identity.NewUser{OrgID: org.ID, Email: strings.ToLower(name) + "@example.com", Name: name})
		require.NoError(t, err)
		app, _, err := ids.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: "App " + name, RedirectURIs: []string{"https://x.example/cb"}})
		require.NoError(t, err)
		admin := caller.Caller{Credential: caller.AdminKey, AppID: app.ID, OrgID: org.ID}
		user := caller.Caller{Credential: caller.UserToken, AppID: app.ID, OrgID: org.ID, UserID: u.ID}
		if i == 0 {
			f.adminA, f.userA = admin, user
		} else {
			f.adminB, f.userB = admin, user
		}
	}
	return f
}

// counts returns the rows of every entity table of a workspace.
func (f fixture) counts(t *testing.T, orgID int64) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"action_buttons", "next_steps", "templates", "shortcuts", "workflow_templates", "canvas_templates"} {
		var n int
		require.NoError(t, f.db.R.QueryRowContext(context.Background(), f.db.Rebind(`SELECT COUNT(*) FROM `+table+` WHERE org_id = ?`), orgID).Scan(&n))
		out[table] = n
	}
	return out
}

func TestInstallUninstallExactly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		created, err := f.svc.Create(ctx, f.adminA, toolkit.NewToolkit{Name: "Kit", Slug: "kit", Version: "1", Manifest: json.RawMessage(manifest)})
		require.NoError(t, err)
		kit := created.Toolkit
		require.Equal(t, manifest, string(kit.Manifest))

		// A template the workspace had before stays through install and uninstall.
		own, err := f.templates.Create(ctx, f.adminA, template.New{Name: "Weekly"})
		require.NoError(t, err)
		before := f.counts(t, f.userA.OrgID)

		// Other apps and workspaces reach nothing of the toolkit.
		_, err = f.svc.Get(ctx, f.adminB, kit.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = f.svc.Install(ctx, f.userB, kit.UUID, false)
		require.ErrorIs(t, err, fault.ErrNotFound)
		p, err := f.svc.List(ctx, f.adminB, page.Request{})
		require.NoError(t, err)
		require.Zero(t, p.Total)

		dry, err := f.svc.Install(ctx, f.userA, kit.UUID, true)
		require.NoError(t, err)
		require.True(t, dry.DryRun)
		require.Len(t, dry.Check.Conflicts, 1, "the workspace's own Weekly template")
		require.Equal(t, own.UUID, dry.Check.Conflicts[0].ExistingEntityID)
		require.Equal(t, before, f.counts(t, f.userA.OrgID), "a dry run writes nothing")

		inst, err := f.svc.Install(ctx, f.userA, kit.UUID, false)
		require.NoError(t, err)
		after := f.counts(t, f.userA.OrgID)
		for table, n := range after {
			require.Equal(t, before[table]+1, n, table)
		}
		require.Equal(t, map[string]int{"action_buttons": 0, "next_steps": 0, "templates": 0, "shortcuts": 0, "workflow_templates": 0,
			"canvas_templates": 0}, f.counts(t, f.userB.OrgID))
		_, err = f.svc.Install(ctx, f.userA, kit.UUID, false)
		require.ErrorIs(t, err, fault.ErrConflict)

		require.NoError(t, f.svc.Uninstall(ctx, f.userA, kit.UUID))
		require.Equal(t, before, f.counts(t, f.userA.OrgID))
		_, err = f.templates.Get(ctx, f.adminA, own.UUID)
		require.NoError(t, err)
		require.ErrorIs(t, f.svc.Uninstall(ctx, f.userA, kit.UUID), fault.ErrNotFound)

		// Installing again after an uninstall works and reuses the row.
		again, err := f.svc.Install(ctx, f.userA, kit.UUID, false)
		require.NoError(t, err)
		require.Equal(t, inst.UUID, again.UUID)
		require.NotEqual(t, inst.Entities[toolkit.KindTemplate]["weekly"], again.Entities[toolkit.KindTemplate]["weekly"])
		ip, err := f.svc.Installations(ctx, f.adminA, kit.UUID, page.Request{})
		require.NoError(t, err)
		require.Equal(t, 1, ip.Active)
		require.Equal(t, 1, ip.TotalConnectedWorkspaces)
		_, err = f.svc.Installations(ctx, f.adminB, kit.UUID, page.Request{})
		require.ErrorIs(t, err, fault.ErrNotFound)

		// Deleting the toolkit deletes what it installed.
		require.NoError(t, f.svc.Delete(ctx, f.adminA, kit.UUID))
		require.Equal(t, before, f.counts(t, f.userA.OrgID))
	})
}

func TestVersionsAndPropagation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		created, err := f.svc.Create(ctx, f.adminA, toolkit.NewToolkit{Name: "Kit", Slug: "kit", Version: "1", Manifest: json.RawMessage(manifest)})
		require.NoError(t, err)
		kit := created.Toolkit
		inst, err := f.svc.Install(ctx, f.userA, kit.UUID, false)
		require.NoError(t, err)
		weekly := inst.Entities[toolkit.KindTemplate]["weekly"]

		renamed := strings.Replace(strings.Replace(manifest, `"name":"Weekly"`, `"name":"Weekly v2"`, 1), `"name":"Recap"`, `"name":"Recap v2"`, 1)
		v2, err := f.svc.CreateVersion(ctx, f.adminA, kit.UUID, toolkit.NewVersion{Label: "2", Manifest: json.RawMessage(renamed)})
		require.NoError(t, err)
		_, err = f.svc.CreateVersion(ctx, f.adminA, kit.UUID, toolkit.NewVersion{Label: "3", Manifest: json.RawMessage(renamed)})
		require.ErrorIs(t, err, fault.ErrConflict, "one draft at a time")
		_, err = f.svc.CreateVersion(ctx, f.adminB, kit.UUID, toolkit.NewVersion{Label: "3", Manifest: json.RawMessage(renamed)})
		require.ErrorIs(t, err, fault.ErrNotFound)

		// The workspace renames the installed template; a normal
		// propagation keeps that change, a forced one overwrites it.
		name := "Our weekly"
		_, err = f.templates.Update(ctx, f.adminA, weekly, template.Patch{Name: &name})
		require.NoError(t, err)
		require.NoError(t, f.svc.Publish(ctx, f.adminA, kit.UUID, v2.Version.UUID, toolkit.PropagateNormal))
		propagate(t, f.svc, inst.ID, v2.Version.ID, toolkit.PropagateNormal)
		tpl, err := f.templates.Detail(ctx, f.userA, weekly)
		require.NoError(t, err)
		require.Equal(t, "Our weekly", tpl.Name, "normal keeps the workspace's change")
		require.Equal(t, "Recap v2", tpl.NextSteps[0].Name, "and updates the rest in place")
		propagate(t, f.svc, inst.ID, v2.Version.ID, toolkit.PropagateForce)
		tpl, err = f.templates.Detail(ctx, f.userA, weekly)
		require.NoError(t, err)
		require.Equal(t, "Weekly v2", tpl.Name)

		vs, err := f.svc.Versions(ctx, f.adminA, kit.UUID)
		require.NoError(t, err)
		require.Equal(t, []string{toolkit.Deprecated, toolkit.Published}, []string{vs[0].Status, vs[1].Status})
		require.ErrorIs(t, f.svc.Republish(ctx, f.adminA, kit.UUID, vs[1].UUID), fault.ErrInvalid)
		require.NoError(t, f.svc.Republish(ctx, f.adminA, kit.UUID, vs[0].UUID))
		got, err := f.svc.Get(ctx, f.adminA, kit.UUID)
		require.NoError(t, err)
		require.Equal(t, manifest, string(got.Manifest))

		// An opted-out installation is never touched.
		require.NoError(t, f.svc.Uninstall(ctx, f.userA, kit.UUID))
		propagate(t, f.svc, inst.ID, vs[0].ID, toolkit.PropagateForce)
		p, err := f.templates.List(ctx, f.userA, page.Request{})
		require.NoError(t, err)
		require.Zero(t, p.Total)
	})
}

func propagate(t *testing.T, svc *toolkit.Service, instID, versionID int64, mode toolkit.Propagation) {
	t.Helper()
	w := &toolkit.PropagateWorker{Service: svc}
	require.NoError(t, w.Work(context.Background(), &river.Job[toolkit.PropagateArgs]{JobRow: &rivertype.JobRow{Attempt: 1},
		Args: toolkit.PropagateArgs{InstallationID: instID, VersionID: versionID, Mode: mode}}))
}
