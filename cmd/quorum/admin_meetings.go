package main

import (
	"context"
	"fmt"

	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/caller"
)

// meetingsAPIUsage lists the Meetings API's admin commands.
const meetingsAPIUsage = `  quorum admin user token    --email E
  quorum admin topic add     --org ID --name N --language L [--alias A]
  quorum admin usage quota   --org ID --capability C --limit N (a negative limit removes the quota)
`

// meetingsAPICommand is the Meetings API's part of the admin CLI: users'
// personal tokens, topics and usage quotas.
func meetingsAPICommand(name string, c *adminCmd) (func(context.Context, *app.App) (map[string]any, error), bool) {
	switch name {
	case "user token":
		email := c.fs.String("email", "", "email of the user")
		return func(ctx context.Context, a *app.App) (map[string]any, error) {
			u, err := a.Identities.UserByEmail(ctx, *email)
			if err != nil {
				return nil, fmt.Errorf("user %q: %w", *email, err)
			}
			token, err := a.Tokens.IssuePersonal(ctx, u.ID)
			if err != nil {
				return nil, err
			}
			return map[string]any{"user_id": u.ID, "email": u.Email, "user_token": token}, nil
		}, true
	case "topic add":
		org := c.fs.String("org", "", "organization id or uuid")
		topicName := c.fs.String("name", "", "topic name")
		language := c.fs.String("language", "", "language of its meetings (BCP 47, e.g. en or id)")
		alias := c.fs.String("alias", "", "short alias (default: from the name)")
		return func(ctx context.Context, a *app.App) (map[string]any, error) {
			orgID, err := resolveOrg(ctx, a, *org)
			if err != nil {
				return nil, err
			}
			t, err := a.Meetings.AddTopic(ctx, caller.ForSystem(orgID), *topicName, *alias, *language)
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": t.ID, "org_id": t.OrgID, "name": t.Name, "alias": t.Alias, "language": t.Language}, nil
		}, true
	case "usage quota":
		org := c.fs.String("org", "", "organization id or uuid")
		capability := c.fs.String("capability", "", "speech-to-text, summarization:input, ... (see GET /api/v1/external/usage/)")
		limit := c.fs.Int64("limit", -1, "quota in the capability's unit (seconds or tokens)")
		return func(ctx context.Context, a *app.App) (map[string]any, error) {
			orgID, err := resolveOrg(ctx, a, *org)
			if err != nil {
				return nil, err
			}
			if err := a.Usage.SetQuota(ctx, orgID, *capability, *limit); err != nil {
				return nil, err
			}
			return map[string]any{"org_id": orgID, "capability": *capability, "limit": *limit}, nil
		}, true
	}
	return nil, false
}
