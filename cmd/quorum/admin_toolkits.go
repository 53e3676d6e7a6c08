package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/template"
	"github.com/quorumhq/quorum/internal/toolkit"
	"github.com/quorumhq/quorum/internal/workflow"
)

const toolkitUsage = `  quorum admin toolkit create  --client-id C --manifest FILE --name N --slug S --version V [--description D] [--dry-run]
  quorum admin toolkit list    --client-id C
  quorum admin toolkit install --client-id C --toolkit ID --org ID [--dry-run]
  quorum admin template create --client-id C --name N [--description D] [--backing-meeting ID]
  quorum admin template list   --client-id C
  quorum admin workflow create --client-id C --org ID --name N --spec FILE [--slug S] [--description D]
`

// appCaller is the caller of the admin API for an app: its admin key, in
// its first workspace.
func appCaller(ctx context.Context, a *app.App, clientID string) (caller.Caller, error) {
	if clientID == "" {
		return caller.Caller{}, fmt.Errorf("--client-id is required")
	}
	ap, err := a.Identities.AppByClientID(ctx, clientID)
	if err != nil {
		return caller.Caller{}, fmt.Errorf("client %q: %w", clientID, err)
	}
	c := caller.Caller{Credential: caller.AdminKey, AppID: ap.ID}
	if len(ap.OrgIDs) > 0 {
		c.OrgID = ap.OrgIDs[0]
	}
	return c, nil
}

func readJSONFile(path, flag string) (json.RawMessage, error) {
	if path == "" {
		return nil, fmt.Errorf("--%s is required", flag)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read --%s: %w", flag, err)
	}
	return json.RawMessage(b), nil
}

// toolkitCommand returns the admin commands that seed toolkits, templates
// and workflow templates, for local testing without the admin API.
func toolkitCommand(name string, c *adminCmd) (func(context.Context, *app.App) (map[string]any, error), bool) {
	clientID := func() *string { return c.fs.String("client-id", "", "the app's client id") }
	switch name {
	case "toolkit create":
		cid, manifest := clientID(), c.fs.String("manifest", "", "path of the manifest JSON")
		tkName, slug := c.fs.String("name", "", "toolkit name"), c.fs.String("slug", "", "toolkit slug")
		version, desc := c.fs.String("version", "", "version label"), c.fs.String("description", "", "description")
		dry := c.fs.Bool("dry-run", false, "only validate")
		return func(ctx context.Context, a *app.App) (map[string]any, error) {
			ac, err := appCaller(ctx, a, *cid)
			if err != nil {
				return nil, err
			}
			m, err := readJSONFile(*manifest, "manifest")
			if err != nil {
				return nil, err
			}
			res, err := a.Toolkits.Create(ctx, ac, toolkit.NewToolkit{Name: *tkName, Slug: *slug, Version: *version, Description: *desc,
				Manifest: m, DryRun: *dry})
			if err != nil {
				return nil, err
			}
			out := map[string]any{"validation": res.Check.Validation, "conflicts": res.Check.Conflicts, "summary": res.Check.Summary}
			if res.Toolkit != nil {
				out["id"], out["slug"], out["version"] = res.Toolkit.UUID, res.Toolkit.Slug, res.Toolkit.Version
			}
			return out, nil
		}, true
	case "toolkit list":
		cid := clientID()
		return func(ctx context.Context, a *app.App) (map[string]any, error) {
			ac, err := appCaller(ctx, a, *cid)
			if err != nil {
				return nil, err
			}
			p, err := a.Toolkits.List(ctx, ac, page.Request{Limit: page.MaxLimit})
			if err != nil {
				return nil, err
			}
			items := make([]map[string]any, 0, len(p.Items))
			for _, t := range p.Items {
				items = append(items, map[string]any{"id": t.UUID, "slug": t.Slug, "name": t.Name, "version": t.Version, "is_active": t.IsActive})
			}
			return map[string]any{"items": items, "total": p.Total}, nil
		}, true
	case "toolkit install":
		cid, id, org := clientID(), c.fs.String("toolkit", "", "toolkit id"), c.fs.String("org", "", "organization id or uuid")
		dry := c.fs.Bool("dry-run", false, "only check")
		return func(ctx context.Context, a *app.App) (map[string]any, error) {
			ac, err := appCaller(ctx, a, *cid)
			if err != nil {
				return nil, err
			}
			orgID, err := resolveOrg(ctx, a, *org)
			if err != nil {
				return nil, err
			}
			inst, err := a.Toolkits.Install(ctx, caller.Caller{Credential: caller.System, OrgID: orgID, AppID: ac.AppID, UserRef: "system"},
				*id, *dry)
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": inst.UUID, "status": inst.Status, "version_label": inst.VersionLabel, "entities": inst.Entities,
				"validation": inst.Check.Validation}, nil
		}, true
	case "template create":
		cid, tplName := clientID(), c.fs.String("name", "", "template name")
		desc, backing := c.fs.String("description", "", "description"), c.fs.String("backing-meeting", "", "meeting id to copy")
		return func(ctx context.Context, a *app.App) (map[string]any, error) {
			ac, err := appCaller(ctx, a, *cid)
			if err != nil {
				return nil, err
			}
			t, err := a.Templates.Create(ctx, ac, template.New{Name: *tplName, Description: *desc, BackingMeetingID: *backing})
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": t.UUID, "name": t.Name, "workspace_id": t.WorkspaceUUID}, nil
		}, true
	case "template list":
		cid := clientID()
		return func(ctx context.Context, a *app.App) (map[string]any, error) {
			ac, err := appCaller(ctx, a, *cid)
			if err != nil {
				return nil, err
			}
			p, err := a.Templates.List(ctx, ac, page.Request{Limit: page.MaxLimit})
			if err != nil {
				return nil, err
			}
			items := make([]map[string]any, 0, len(p.Items))
			for _, t := range p.Items {
				items = append(items, map[string]any{"id": t.UUID, "name": t.Name, "workspace_id": t.WorkspaceUUID})
			}
			return map[string]any{"items": items, "total": p.Total}, nil
		}, true
	case "workflow create":
		cid, org, wfName := clientID(), c.fs.String("org", "", "organization id or uuid"), c.fs.String("name", "", "name")
		spec, slug, desc := c.fs.String("spec", "", "path of the DAG spec JSON"), c.fs.String("slug", "", "slug"), c.fs.String("description", "", "description")
		return func(ctx context.Context, a *app.App) (map[string]any, error) {
			ac, err := appCaller(ctx, a, *cid)
			if err != nil {
				return nil, err
			}
			orgID, err := resolveOrg(ctx, a, *org)
			if err != nil {
				return nil, err
			}
			s, err := readJSONFile(*spec, "spec")
			if err != nil {
				return nil, err
			}
			t, err := a.Workflows.CreateTemplate(ctx, caller.Caller{Credential: caller.System, OrgID: orgID, AppID: ac.AppID, UserRef: "system"},
				workflow.NewTemplate{Name: *wfName, Slug: *slug, Description: *desc, Spec: s})
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": t.UUID, "name": t.Name, "workspace_id": t.WorkspaceUUID}, nil
		}, true
	}
	return nil, false
}
