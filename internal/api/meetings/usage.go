package meetings

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
)

// ExtUsageLine is one organization's use of one capability.
type ExtUsageLine struct {
	OrganizationID   int64    `json:"organization_id"`
	OrganizationName string   `json:"organization_name"`
	CapabilityName   string   `json:"capability_name"`
	Usage            float64  `json:"usage"`
	Quota            *float64 `json:"quota"`
}

// ExtUsageReport is the /usage/ answer.
type ExtUsageReport struct {
	Results []ExtUsageLine `json:"results"`
}

type usageInput struct {
	OrganizationID string `query:"organization_id"`
	StartDate      string `query:"start_date" doc:"YYYY-MM-DD, inclusive"`
	EndDate        string `query:"end_date" doc:"YYYY-MM-DD, inclusive"`
}

type usageOutput struct{ Body ExtUsageReport }

func (h *Handler) registerUsage(api huma.API) {
	rest.Register(api, h.Surface, op("get-usage", "GET", External+"/usage", "Usage and quotas per capability", "Usage"), h.usage)
}

// usage serves GET /api/v1/external/usage/.
func (h *Handler) usage(ctx context.Context, c caller.Caller, in *usageInput) (*usageOutput, error) {
	orgs, err := h.orgs(ctx, c, in.OrganizationID)
	if err != nil {
		return nil, err
	}
	from, err := parseDate("start_date", in.StartDate)
	if err != nil {
		return nil, err
	}
	to, err := parseDate("end_date", in.EndDate)
	if err != nil {
		return nil, err
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1)
		if !from.IsZero() && !to.After(from) {
			return nil, fault.Invalid("end_date", "invalid", "end_date must not be before start_date.")
		}
	}
	lines, err := h.Usage.Report(ctx, orgs, from, to)
	if err != nil {
		return nil, err
	}
	out := ExtUsageReport{Results: make([]ExtUsageLine, len(lines))}
	for i, l := range lines {
		out.Results[i] = ExtUsageLine{OrganizationID: l.OrgID, OrganizationName: l.OrgName, CapabilityName: l.Capability,
			Usage: float64(l.Usage)}
		if l.Quota != nil {
			q := float64(*l.Quota)
			out.Results[i].Quota = &q
		}
	}
	return &usageOutput{Body: out}, nil
}
