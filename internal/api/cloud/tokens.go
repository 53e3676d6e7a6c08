package cloud

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/quorumhq/quorum/internal/api/rest"
)

type cloudTokenInput struct {
	Authorization string `header:"Authorization" doc:"Bearer <the app's cloud API key>"`
	Body          struct {
		UserID string `json:"userId" doc:"the end user the token acts for (usually an email)"`
	}
}

type cloudTokenOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		CloudToken  string    `json:"cloudToken"`
		ExpiresAt   time.Time `json:"expiresAt"`
		Environment string    `json:"environment"`
	}
}

func (h *Handler) registerTokens(api huma.API) {
	rest.RegisterPublic(api, h.Surface, rest.Op{ID: "createCloudToken", Method: http.MethodPost, Path: "/cloud-token", Tag: "Cloud: Auth",
		Summary: "Trade the app's cloud API key for a 24 h cloud token", Status: http.StatusCreated,
		Doc: func(o *huma.Operation) { o.Security = []map[string][]string{{"cloudApiKey": {}}} }}, h.createCloudToken)
}

// createCloudToken serves POST /cloud/v1/cloud-token.
func (h *Handler) createCloudToken(ctx context.Context, in *cloudTokenInput) (*cloudTokenOutput, error) {
	key, _ := strings.CutPrefix(in.Authorization, "Bearer ")
	token, expires, err := h.Tokens.Mint(ctx, strings.TrimSpace(key), in.Body.UserID)
	if err != nil {
		return nil, err
	}
	out := &cloudTokenOutput{CacheControl: "no-store"}
	out.Body.CloudToken, out.Body.ExpiresAt, out.Body.Environment = token, expires, "production"
	return out, nil
}
