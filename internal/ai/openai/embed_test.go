package openai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// embedding answers with a 3-dimensional vector per input derived from its
// position in the whole call, listed in reverse to check the provider
// orders by index rather than by position in the response.
func embedding(w http.ResponseWriter, req embedRequest) {
	var data []any
	for i := len(req.Input) - 1; i >= 0; i-- {
		var n float64
		fmt.Sscanf(req.Input[i], "text %f", &n)
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": []float64{n, 0.5, -0.25}})
	}
	writeJSON(w, map[string]any{
		"object": "list", "data": data, "model": req.Model,
		"usage": map[string]any{"prompt_tokens": len(req.Input), "total_tokens": len(req.Input)},
	})
}

func TestEmbed(t *testing.T) {
	f := newFake(t)
	f.embed = embedding
	texts := make([]string, 300) // more than one batch
	for i := range texts {
		texts[i] = fmt.Sprintf("text %d", i)
	}
	texts[7] = ""
	got, err := f.provider().Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(texts) {
		t.Fatalf("got %d vectors for %d texts", len(got), len(texts))
	}
	for i, v := range got {
		want := float32(i)
		if i == 7 {
			want = 0 // the blank text
		}
		if len(v) != 3 || v[0] != want || v[1] != 0.5 || v[2] != -0.25 {
			t.Fatalf("vector %d = %v", i, v)
		}
	}
	if len(f.embedReqs) != 2 || len(f.embedReqs[0].Input) != embedBatch || len(f.embedReqs[1].Input) != 300-embedBatch {
		t.Fatalf("requests = %d of sizes %d..., want batches of %d", len(f.embedReqs), len(f.embedReqs[0].Input), embedBatch)
	}
	for _, r := range f.embedReqs {
		if r.Model != "test-embed" || r.EncodingFormat != "float" {
			t.Errorf("request model %q encoding %q", r.Model, r.EncodingFormat)
		}
	}
	if in := f.embedReqs[0].Input[7]; strings.TrimSpace(in) != "" || in == "" {
		t.Errorf("blank text sent as %q, want a single space", in)
	}
}

func TestEmbedFailures(t *testing.T) {
	t.Run("no model", func(t *testing.T) {
		f := newFake(t)
		_, err := f.provider(func(c *Config) { c.EmbedModel = "" }).Embed(context.Background(), []string{"x"})
		if err == nil || !strings.Contains(err.Error(), "EmbedModel") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("wrong count", func(t *testing.T) {
		f := newFake(t)
		f.embed = func(w http.ResponseWriter, req embedRequest) {
			req.Input = req.Input[:1]
			embedding(w, req)
		}
		_, err := f.provider().Embed(context.Background(), []string{"text 1", "text 2"})
		if !errorsIsAll(err, ErrUpstream, ErrBadResponse) {
			t.Errorf("err = %v, want ErrBadResponse", err)
		}
	})
	t.Run("unknown model", func(t *testing.T) {
		f := newFake(t)
		f.embed = func(w http.ResponseWriter, _ embedRequest) {
			writeAPIError(w, http.StatusNotFound, `model "test-embed" not found, try pulling it first`, "api_error", "")
		}
		_, err := f.provider().Embed(context.Background(), []string{"x"})
		var ue *UpstreamError
		if !errors.As(err, &ue) || ue.StatusCode != 404 || ue.Op != "embed" || !strings.Contains(ue.Message, "try pulling") {
			t.Fatalf("err = %#v", err)
		}
		if errors.Is(err, ErrUnavailable) || errors.Is(err, ErrRateLimited) {
			t.Errorf("404 classified as temporary: %v", err)
		}
	})
}
