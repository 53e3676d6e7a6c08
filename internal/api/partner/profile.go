package partner

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
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

func (h *Handler) registerProfile(api huma.API) {
	huma.Register(api, h.op("getUserProfile", http.MethodGet, "/v1/partner/user/profile", "The signed-in user's profile", "Profile", "profile"), h.getProfile)
}

// getProfile serves GET /v1/partner/user/profile.
func (h *Handler) getProfile(ctx context.Context, _ *struct{}) (*profileOutput, error) {
	c, ok := userCaller(ctx)
	if !ok {
		return nil, unauthorized(ctx)
	}
	if c.Grant.UserID == 0 {
		return nil, rest.NewError(ctx, rest.SurfacePartner, http.StatusForbidden, "forbidden", "client-credentials tokens have no user profile", nil)
	}
	u, err := h.Identities.Store().User(ctx, c.Grant.UserID)
	if err != nil {
		return nil, fail(ctx, err)
	}
	ms, err := h.Identities.Memberships(ctx, u.ID)
	if err != nil {
		return nil, fail(ctx, err)
	}
	out := UserProfile{ID: u.UUID, DisplayName: u.Name, Email: u.Email, CreatedAt: rest.Time(ctx, u.CreatedAt), PlanType: "self_hosted"}
	for _, m := range ms {
		if m.Org.ID == c.Grant.OrgID {
			out.WorkspaceID, out.WorkspaceName, out.WorkspaceRole = m.Org.UUID, m.Org.Name, workspaceRole(m.Role)
		}
	}
	return &profileOutput{Body: out}, nil
}
