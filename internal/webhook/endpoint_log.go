package webhook

import (
	"context"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/page"
)

// EndpointHealth is an endpoint's failure record: the failed attempts of
// its deliveries and the reason of the last one.
type EndpointHealth struct {
	FailureCount      int64
	LastFailureReason string
}

// EndpointHealth reads the failure record of an endpoint of the caller's
// organization and app, by its row id.
func (s *Service) EndpointHealth(ctx context.Context, c caller.Caller, endpointID int64) (EndpointHealth, error) {
	return s.store.endpointHealth(ctx, c.OrgID, c.AppID, endpointID)
}

// EndpointDelivery is a delivery with the row id of its endpoint.
type EndpointDelivery struct {
	Delivery
	EndpointID int64
}

// EndpointDeliveries pages through the deliveries of the caller's
// organization and app, newest first, with an exact total; endpointID 0
// lists every endpoint's.
func (s *Service) EndpointDeliveries(ctx context.Context, c caller.Caller, endpointID int64, r page.Request) (page.Page[EndpointDelivery], error) {
	return s.store.endpointDeliveries(ctx, c.OrgID, c.AppID, endpointID, r)
}

// EndpointDeliveryByID loads one delivery of the caller's organization and
// app by its row id.
func (s *Service) EndpointDeliveryByID(ctx context.Context, c caller.Caller, id int64) (EndpointDelivery, error) {
	return s.store.endpointDelivery(ctx, c.OrgID, c.AppID, id)
}
