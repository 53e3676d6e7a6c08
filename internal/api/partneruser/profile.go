package partneruser

import (
	"context"
	"strings"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/identity"
)

// UserProfile is the Partner API's profile object.
type UserProfile struct {
	ID            string `json:"id"`
	DisplayName   string `json:"display_name"`
	Email         string `json:"email"`
	CreatedAt     string `json:"created_at"`
	WorkspaceID   string `json:"workspace_id"`
	WorkspaceName string `json:"workspace_name"`
	WorkspaceRole string `json:"workspace_role"`
	PlanType      string `json:"plan_type"`
}

type profileOutput struct{ Body UserProfile }

// workspaceRole spells a membership role the way the Partner API does.
func workspaceRole(r identity.Role) string {
	return "WORKSPACE_" + strings.ToUpper(string(r))
}

// getProfile serves GET /v1/partner/user/profile.
func (h *Handler) getProfile(ctx context.Context, c caller.Caller, _ *struct{}) (*profileOutput, error) {
	u, m, err := h.Identities.Profile(ctx, c)
	if err != nil {
		return nil, err
	}
	return &profileOutput{Body: UserProfile{ID: u.UUID, DisplayName: u.Name, Email: u.Email, CreatedAt: rest.Time(ctx, u.CreatedAt),
		PlanType: "self_hosted", WorkspaceID: m.Org.UUID, WorkspaceName: m.Org.Name, WorkspaceRole: workspaceRole(m.Role)}}, nil
}
