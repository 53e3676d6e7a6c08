package identity

import "github.com/quorumhq/quorum/internal/secret"

// NewCredentialValue returns a fresh secret of the kind, with the kind's
// recognisable prefix; the credential package uses it to rotate secrets.
func NewCredentialValue(kind CredentialKind) string {
	switch kind {
	case CredClientSecret:
		return secret.New(clientSecretPrefix)
	case CredCloudAPIKey:
		return secret.New(cloudAPIKeyPrefix)
	}
	return secret.New(apiKeyPrefix)
}
