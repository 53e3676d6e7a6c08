package api

import (
	"net/http"
	"strings"

	"github.com/quorumhq/quorum/internal/api/cloud"
	"github.com/quorumhq/quorum/internal/api/meetings"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/bot"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
)

// surfaces is the surface table: every API family Quorum serves, declared
// once with its mount point, error body, authenticator and limits. It is
// the only place that knows which paths belong to which family.
type surfaces struct {
	table        *rest.Table
	partnerUser  *rest.Surface
	partnerAdmin *rest.Surface
	partnerInfo  *rest.Surface
	oauth        *rest.Surface
	cloud        *rest.Surface
	meetings     *rest.Surface
}

func newSurfaces(d Deps) surfaces {
	s := surfaces{
		partnerUser: &rest.Surface{Name: "partner-user", Base: "/v1/partner/user", Body: rest.PartnerBody,
			Authenticate: partnerUserCaller(d), Security: "oauth2", EnforceScopes: d.EnforceScopes, MaxBodyBytes: d.MaxBodyBytes},
		partnerAdmin: &rest.Surface{Name: "partner-admin", Base: "/v1/partner/admin", Body: rest.PartnerBody,
			Authenticate: partnerAdminCaller(d), Security: "apiKey", MaxBodyBytes: d.MaxBodyBytes},
		// The rest of /v1/partner (public app info) needs no credential.
		partnerInfo: &rest.Surface{Name: "partner", Base: "/v1/partner", Body: rest.PartnerBody, MaxBodyBytes: d.MaxBodyBytes},
		// The OAuth host authenticates clients inside each operation.
		oauth: &rest.Surface{Name: "oauth", Prefixes: []string{"/oauth2/", "/auth/"}, Body: rest.OAuthBody, OAuthCodes: true,
			MaxBodyBytes: d.MaxBodyBytes},
		cloud: &rest.Surface{Name: "cloud", Base: cloud.Base, Body: rest.CloudBody, Authenticate: cloudCaller(d),
			Open: []string{cloud.Base + "/cloud-token", cloud.Base + cloud.RoomStreamPath, cloud.Base + cloud.DiscoveryStreamPath}, Security: "cloudToken", MaxBodyBytes: d.MaxBodyBytes},
		meetings: &rest.Surface{Name: "meetings", Base: "/api", Body: rest.MeetingsBody, Authenticate: meetingsCaller(d),
			Open: append([]string{bot.WebhookPath}, meetings.Open...), Security: "meetingsToken", TrailingSlash: true, MaxBodyBytes: d.MaxBodyBytes},
	}
	fallback := &rest.Surface{Name: "other", Body: rest.PartnerBody}
	s.table = rest.NewTable(fallback, s.partnerUser, s.partnerAdmin, s.partnerInfo, s.oauth, s.cloud, s.meetings)
	return s
}

func bearer(r *http.Request) (string, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return strings.TrimSpace(token), ok
}

// partnerUserCaller authenticates a Partner user access token; tokens of
// apps that are not active are refused by the lookup itself.
func partnerUserCaller(d Deps) func(*http.Request) (caller.Caller, error) {
	return func(r *http.Request) (caller.Caller, error) {
		token, ok := bearer(r)
		if !ok {
			return caller.Caller{}, fault.Unauthorized("unauthorized", "missing bearer token")
		}
		return d.OAuth.Authenticate(r.Context(), token)
	}
}

// partnerAdminCaller authenticates an app's admin API key; X-Client-ID, when
// sent, must name the same app.
func partnerAdminCaller(d Deps) func(*http.Request) (caller.Caller, error) {
	return func(r *http.Request) (caller.Caller, error) {
		app, err := d.Identities.AppByKey(r.Context(), identity.CredAPIKey, r.Header.Get("X-API-Key"))
		if err != nil {
			return caller.Caller{}, err
		}
		if cid := r.Header.Get("X-Client-ID"); cid != "" && cid != app.ClientID {
			return caller.Caller{}, fault.Unauthorized("unauthorized", "X-Client-ID does not match the API key")
		}
		c := caller.Caller{Credential: caller.AdminKey, AppID: app.ID}
		if len(app.OrgIDs) > 0 {
			c.OrgID = app.OrgIDs[0]
		}
		return c, nil
	}
}

// cloudCaller authenticates a Cloud "ct_" token.
func cloudCaller(d Deps) func(*http.Request) (caller.Caller, error) {
	return func(r *http.Request) (caller.Caller, error) {
		token, _ := bearer(r)
		return d.CloudTokens.Authenticate(r.Context(), token)
	}
}

// meetingsCaller authenticates a Meetings API access token from
// POST /api/auth/token/.
func meetingsCaller(d Deps) func(*http.Request) (caller.Caller, error) {
	return func(r *http.Request) (caller.Caller, error) {
		token, _ := bearer(r)
		return d.Tokens.Authenticate(r.Context(), token)
	}
}
