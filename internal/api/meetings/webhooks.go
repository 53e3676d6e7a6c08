package meetings

import "github.com/danielgtaylor/huma/v2"

func (h *Handler) registerWebhooks(api huma.API) {}
