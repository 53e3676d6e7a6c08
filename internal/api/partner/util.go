package partner

import (
	"context"
	"net/http"
	"strconv"

	"github.com/quorumhq/quorum/internal/api/rest"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// fail maps a domain error to the Partner error body.
func fail(ctx context.Context, err error) error {
	return rest.FromDomain(ctx, rest.SurfacePartner, err)
}

func unauthorized(ctx context.Context) error {
	return rest.NewError(ctx, rest.SurfacePartner, http.StatusUnauthorized, "unauthorized", "authentication required", nil)
}
