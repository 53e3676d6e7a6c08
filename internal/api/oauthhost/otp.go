package oauthhost

import "context"

type initiateBody struct {
	ClientID    string `json:"client_id,omitempty"`
	Email       string `json:"email"`
	Name        string `json:"name,omitempty"`
	WorkspaceID string `json:"workspace_id,omitempty"`
	IsAdmin     *bool  `json:"is_admin,omitempty"`
}

type initiateOutput struct {
	Body struct {
		Session          string            `json:"session"`
		ChallengeName    string            `json:"challenge_name"`
		ChallengeParams  map[string]string `json:"challenge_params"`
		UserProvisioned  bool              `json:"user_provisioned"`
		ChallengeName2   string            `json:"challengeName"`
		ChallengeParams2 map[string]string `json:"challengeParams"`
		UserProvisioned2 bool              `json:"userProvisioned"`
	}
}

// initiate serves POST /auth/initiate.
func (h *Handler) initiate(ctx context.Context, in *jsonAuthInput[initiateBody]) (*initiateOutput, error) {
	app, err := h.client(ctx, in.Authorization, nil)
	if err != nil {
		return nil, err
	}
	if err := h.Identities.WorkspaceOfApp(ctx, app, in.Body.WorkspaceID); err != nil {
		return nil, err
	}
	c, err := h.OAuth.InitiateOTP(ctx, app, in.Body.Email, in.Body.Name)
	if err != nil {
		return nil, err
	}
	out := &initiateOutput{}
	params := map[string]string{"delivery_medium": "EMAIL", "email": in.Body.Email}
	out.Body.Session, out.Body.ChallengeName, out.Body.ChallengeName2 = c.Session, "EMAIL_OTP", "EMAIL_OTP"
	out.Body.ChallengeParams, out.Body.ChallengeParams2 = params, params
	out.Body.UserProvisioned, out.Body.UserProvisioned2 = c.UserProvisioned, c.UserProvisioned
	return out, nil
}

type verifyBody struct {
	ClientID string `json:"client_id,omitempty"`
	Email    string `json:"email"`
	Code     string `json:"code"`
	Session  string `json:"session"`
}

type verifyOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		Success      bool   `json:"success"`
		Message      string `json:"message"`
		Redirect     string `json:"redirect"`
		RedirectURL  string `json:"redirectUrl"`
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
		ExpiresIn    int    `json:"expires_in"`
		Scope        string `json:"scope"`
	}
}

// verify serves POST /auth/verify.
func (h *Handler) verify(ctx context.Context, in *jsonAuthInput[verifyBody]) (*verifyOutput, error) {
	app, err := h.client(ctx, in.Authorization, nil)
	if err != nil {
		return nil, err
	}
	t, err := h.OAuth.VerifyOTP(ctx, app, in.Body.Email, in.Body.Code, in.Body.Session)
	if err != nil {
		return nil, err
	}
	out := &verifyOutput{CacheControl: "no-store"}
	out.Body.Success, out.Body.Message = true, "verified"
	out.Body.AccessToken, out.Body.RefreshToken, out.Body.ExpiresIn, out.Body.Scope = t.AccessToken, t.RefreshToken, t.ExpiresIn, t.Scope
	return out, nil
}
