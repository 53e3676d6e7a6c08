package rest

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/caller"
)

// Surface is one API family, declared once in the surface table: where it
// is mounted, how its errors look, how its callers authenticate and which
// limits its operations share. Handlers never look at the path to learn
// any of this; they receive the caller and return domain errors, and the
// surface does the rest.
type Surface struct {
	// Name identifies the surface in logs and the OpenAPI tags.
	Name string
	// Base is the mount path every operation's Path is relative to.
	Base string
	// Prefixes are the request paths the surface owns (Base+"/" when
	// empty); the longest matching prefix in the table wins.
	Prefixes []string
	// Body renders an error in the surface's own shape.
	Body func(ErrorInfo) map[string]any
	// Authenticate resolves the request's credential into a caller. Nil
	// means the surface authenticates inside its operations (the OAuth host)
	// or needs no credential.
	Authenticate func(r *http.Request) (caller.Caller, error)
	// Open lists paths of the surface that take no credential; a {name}
	// segment matches any one segment.
	Open []string
	// Security is the OpenAPI security requirement of its operations.
	Security string
	// EnforceScopes makes an operation's Scope mandatory for the caller.
	EnforceScopes bool
	// MaxBodyBytes is the default request body limit of its operations.
	MaxBodyBytes int64
	// OAuthCodes reports malformed requests with RFC 6749's
	// invalid_request code instead of invalid_request_body.
	OAuthCodes bool
	// TrailingSlash serves every path with or without a trailing slash:
	// operations are registered without it and requests lose it before
	// routing, so neither spelling is redirected.
	TrailingSlash bool
}

// ErrorInfo is what every error body is built from.
type ErrorInfo struct {
	RequestID string
	Code      string
	Message   string
	// Field names the offending input, when there is one.
	Field string
	// Extra carries detail a surface adds to its body.
	Extra map[string]any
}

func (s *Surface) prefixes() []string {
	if len(s.Prefixes) > 0 {
		return s.Prefixes
	}
	return []string{s.Base + "/"}
}

func (s *Surface) open(path string) bool {
	for _, p := range s.Open {
		if p == path || matchSegments(p, path) {
			return true
		}
	}
	return false
}

// matchSegments reports whether path matches pattern, where a {name}
// segment of pattern matches any one non-empty segment.
func matchSegments(pattern, path string) bool {
	if !strings.Contains(pattern, "{") {
		return false
	}
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if xs[i] == "" {
				return false
			}
		} else if p != xs[i] {
			return false
		}
	}
	return true
}

// Table is the list of surfaces. It is the only place that maps a request
// path to a surface.
type Table struct {
	surfaces []*Surface
	fallback *Surface
}

// NewTable declares the surfaces; fallback answers paths none of them owns.
func NewTable(fallback *Surface, surfaces ...*Surface) *Table {
	return &Table{surfaces: surfaces, fallback: fallback}
}

// Lookup returns the surface that owns path.
func (t *Table) Lookup(path string) *Surface {
	best, bestLen := t.fallback, -1
	for _, s := range t.surfaces {
		for _, p := range s.prefixes() {
			if len(p) > bestLen && strings.HasPrefix(path, p) {
				best, bestLen = s, len(p)
			}
		}
	}
	return best
}

type surfaceKey struct{}

// SurfaceFrom returns the surface serving the request.
func SurfaceFrom(ctx context.Context) *Surface {
	if s, ok := ctx.Value(surfaceKey{}).(*Surface); ok {
		return s
	}
	return otherSurface
}

// otherSurface renders errors for requests that reached no table, which
// only happens in tests of the plumbing itself.
var otherSurface = &Surface{Name: "other", Body: PartnerBody}

// Resolve is the middleware that records which surface serves a request.
func (t *Table) Resolve(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := t.Lookup(r.URL.Path)
		if s.TrailingSlash && len(r.URL.Path) > 1 && strings.HasSuffix(r.URL.Path, "/") {
			r.URL.Path = strings.TrimSuffix(r.URL.Path, "/")
			r.URL.RawPath = ""
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), surfaceKey{}, s)))
	})
}

// Authenticate is the middleware that runs the surface's authenticator
// before routing, so that idempotency keys and limits can be scoped to the
// caller. Operations then receive the caller through Register.
func (t *Table) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := SurfaceFrom(r.Context())
		if s.Authenticate == nil || s.open(r.URL.EscapedPath()) {
			next.ServeHTTP(w, r)
			return
		}
		c, err := s.Authenticate(r)
		if err != nil {
			s.Fail(r.Context(), err).Write(w)
			return
		}
		next.ServeHTTP(w, r.WithContext(caller.With(r.Context(), c)))
	})
}

// Op declares one operation of a surface.
type Op struct {
	ID      string
	Method  string
	Path    string // relative to the surface's Base
	Summary string
	Tag     string
	// Scope is the OAuth scope a Partner token must carry.
	Scope string
	// Status is the success status (200 when zero).
	Status int
	// MaxBodyBytes overrides the surface's body limit.
	MaxBodyBytes int64
	// Doc adds rare OpenAPI details (other content types, responses).
	Doc func(*huma.Operation)
}

func (s *Surface) operation(op Op) huma.Operation {
	o := huma.Operation{
		OperationID:   op.ID,
		Method:        op.Method,
		Path:          s.Base + op.Path,
		Summary:       op.Summary,
		Tags:          []string{op.Tag},
		MaxBodyBytes:  s.MaxBodyBytes,
		DefaultStatus: http.StatusOK,
		Metadata:      map[string]any{"surface": s.Name},
	}
	if op.Status != 0 {
		o.DefaultStatus = op.Status
	}
	if op.MaxBodyBytes != 0 {
		o.MaxBodyBytes = op.MaxBodyBytes
	}
	if s.Security != "" && !s.open(o.Path) {
		scopes := []string{}
		if op.Scope != "" {
			scopes = []string{op.Scope}
		}
		o.Security = []map[string][]string{{s.Security: scopes}}
	}
	if op.Doc != nil {
		op.Doc(&o)
	}
	return o
}

// Register adds an authenticated operation: the handler receives the caller
// resolved by the surface's authenticator, and any error it returns is
// answered in the surface's shape.
func Register[I, O any](api huma.API, s *Surface, op Op, h func(ctx context.Context, c caller.Caller, in *I) (*O, error)) {
	scope := op.Scope
	huma.Register(api, s.operation(op), func(ctx context.Context, in *I) (*O, error) {
		c, ok := caller.From(ctx)
		if !ok {
			return nil, s.Error(ctx, http.StatusUnauthorized, "unauthorized", "authentication required", nil)
		}
		if scope != "" && s.EnforceScopes && !c.HasScope(scope) {
			return nil, s.Error(ctx, http.StatusForbidden, "insufficient_scope", "this endpoint requires the "+scope+" scope",
				map[string]any{"required_scope": scope})
		}
		out, err := h(ctx, c, in)
		if err != nil {
			return nil, s.Fail(ctx, err)
		}
		return out, nil
	})
}

// RegisterPublic adds an operation that takes no caller (or authenticates
// the client itself, as the OAuth host does).
func RegisterPublic[I, O any](api huma.API, s *Surface, op Op, h func(ctx context.Context, in *I) (*O, error)) {
	huma.Register(api, s.operation(op), func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, s.Fail(ctx, err)
		}
		return out, nil
	})
}
