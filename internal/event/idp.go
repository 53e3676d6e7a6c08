package event

import "time"

// Domain ownership events of a partner app's identity provider; they go to
// the app alone (Event.AppOnly).
const (
	IdPDomainVerified           = "partner.idp.domain_verified"
	IdPDomainVerificationFailed = "partner.idp.domain_verification_failed"
	IdPDomainRevoked            = "partner.idp.domain_revoked"
)

// IdPDomain is the data of partner.idp.domain_verified.
type IdPDomain struct {
	Domain     string    `json:"domain"`
	Status     string    `json:"status"`
	VerifiedAt time.Time `json:"verified_at"`
}

// IdPDomainFailure is the data of partner.idp.domain_verification_failed.
type IdPDomainFailure struct {
	Domain   string    `json:"domain"`
	FailedAt time.Time `json:"failed_at"`
	Reason   string    `json:"reason"`
	Status   string    `json:"status"`
}

// IdPDomainRevocation is the data of partner.idp.domain_revoked.
type IdPDomainRevocation struct {
	Domain    string    `json:"domain"`
	RevokedAt time.Time `json:"revoked_at"`
	Status    string    `json:"status"`
}
