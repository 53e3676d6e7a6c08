package rest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/stretchr/testify/require"
)

type figures struct {
	Name   string             `json:"name"`
	Scores map[string]float64 `json:"scores"`
	Hidden float64            `json:"-"`
	Nested []struct {
		At float64 `json:"at"`
	} `json:"nested"`
}

type figuresOutput struct{ Body figures }

// TestNonFiniteBodyIs500: a body JSON cannot encode is answered 500 with
// the surface's JSON error body, never 200 with huma's text.
func TestNonFiniteBodyIs500(t *testing.T) {
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("test", "1")
	cfg.CreateHooks = nil
	cfg.Transformers = append(cfg.Transformers, FiniteNumbers)
	api := humago.New(mux, cfg)
	var out figures
	huma.Register(api, huma.Operation{OperationID: "f", Method: http.MethodGet, Path: "/cloud/v1/figures"},
		func(context.Context, *struct{}) (*figuresOutput, error) { return &figuresOutput{Body: out}, nil })
	cloud := &Surface{Name: "cloud", Base: "/cloud/v1", Body: CloudBody}
	h := Chain(mux, RequestIDs, NewTable(otherSurface, cloud).Resolve, AccessLog(slog.New(slog.NewTextHandler(io.Discard, nil))))
	get := func() (int, map[string]any) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/cloud/v1/figures", nil))
		var body map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), "non-JSON body %q", rec.Body.String())
		return rec.Code, body
	}

	out = figures{Name: "ok", Scores: map[string]float64{"a": 1}, Hidden: math.NaN()}
	status, _ := get()
	require.Equal(t, http.StatusOK, status, "fields JSON leaves out are not checked")

	for _, bad := range []figures{
		{Scores: map[string]float64{"a": math.Inf(1)}},
		{Nested: []struct {
			At float64 `json:"at"`
		}{{At: 1}, {At: math.NaN()}}},
	} {
		out = bad
		status, body := get()
		require.Equal(t, http.StatusInternalServerError, status)
		require.Equal(t, "internal_error", body["error"].(map[string]any)["code"])
	}
}
