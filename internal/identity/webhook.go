package identity

import (
	"context"
	"database/sql"
)

// WebhookSecretIssuer creates an app's webhook subscription and signing
// secret inside the transaction that registers the app, and returns the
// secret in clear. The webhook package implements it; identity cannot
// import that package, which reads apps.
type WebhookSecretIssuer interface {
	IssueAppSecret(ctx context.Context, tx *sql.Tx, appID int64) (string, error)
}

// SetWebhookSecrets makes CreateApp issue a webhook secret for every new
// app. Call it once while wiring, before the service is used.
func (s *Service) SetWebhookSecrets(w WebhookSecretIssuer) { s.webhookSecrets = w }

func (s *Service) issueWebhookSecret(ctx context.Context, tx *sql.Tx, appID int64) (string, error) {
	if s.webhookSecrets == nil {
		return "", nil
	}
	return s.webhookSecrets.IssueAppSecret(ctx, tx, appID)
}
