// Package identity holds organizations, their users and memberships, and the
// partner apps linked to them with all of an app's credentials.
package identity

import (
	"net/mail"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
)

// Org is an organization (tenant); the Partner API calls it a workspace.
type Org struct {
	ID        int64
	UUID      string
	Name      string
	CreatedAt time.Time
}

// User is a person who signs in to Quorum.
type User struct {
	ID            int64
	UUID          string
	Email         string
	Name          string
	GivenName     string
	FamilyName    string
	Picture       string
	Locale        string
	PhoneNumber   string
	EmailVerified bool
	HasPassword   bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Membership ties a user to an organization with a role.
type Membership struct {
	Org  Org
	Role Role
}

// Role is a user's role in an organization.
type Role string

// The membership roles.
const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleOwner || r == RoleAdmin || r == RoleMember
}

// NormalizeEmail lowercases and validates an email address.
func NormalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return "", fault.Invalid("email", "validation_error", "email is required")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 {
		return "", fault.Invalid("email", "validation_error", "email %q is not a valid address", email)
	}
	return email, nil
}

func validName(field, name string, max int) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", fault.Invalid(field, "validation_error", "%s is required", field)
	}
	if len(name) > max {
		return "", fault.Invalid(field, "validation_error", "%s is longer than %d characters", field, max)
	}
	return name, nil
}
