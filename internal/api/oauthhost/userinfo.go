package oauthhost

import (
	"context"
	"strings"

	"github.com/quorumhq/quorum/internal/fault"
)

// UserInfo holds the OpenID Connect standard claims.
type UserInfo struct {
	Sub                 string `json:"sub"`
	Email               string `json:"email"`
	EmailVerified       bool   `json:"email_verified"`
	Name                string `json:"name"`
	GivenName           string `json:"given_name"`
	FamilyName          string `json:"family_name"`
	Picture             string `json:"picture"`
	Locale              string `json:"locale"`
	PhoneNumber         string `json:"phone_number"`
	PhoneNumberVerified bool   `json:"phone_number_verified"`
}

type userInfoOutput struct{ Body UserInfo }

// userInfo serves GET /oauth2/userInfo.
func (h *Handler) userInfo(ctx context.Context, in *basicInput) (*userInfoOutput, error) {
	token, ok := strings.CutPrefix(in.Authorization, "Bearer ")
	if !ok {
		return nil, fault.Unauthorized("invalid_token", "a bearer access token is required")
	}
	g, err := h.OAuth.Authenticate(ctx, strings.TrimSpace(token))
	if err != nil || g.UserID == 0 {
		return nil, fault.Unauthorized("invalid_token", "the access token is invalid or has no user")
	}
	u, err := h.Identities.User(ctx, g.UserID)
	if err != nil {
		return nil, err
	}
	return &userInfoOutput{Body: UserInfo{Sub: u.UUID, Email: u.Email, EmailVerified: u.EmailVerified, Name: u.Name,
		GivenName: u.GivenName, FamilyName: u.FamilyName, Picture: u.Picture, Locale: u.Locale, PhoneNumber: u.PhoneNumber}}, nil
}
