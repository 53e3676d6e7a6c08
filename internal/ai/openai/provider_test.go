package openai

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // "" means valid
	}{
		{"valid", Config{BaseURL: "http://127.0.0.1:11434/v1", Model: "llama3.2"}, ""},
		{"valid with spaces", Config{BaseURL: " https://api.openai.com/v1 ", Model: " gpt-4o-mini "}, ""},
		{"no base url", Config{Model: "m"}, "BaseURL is required"},
		{"relative base url", Config{BaseURL: "localhost:11434/v1", Model: "m"}, "not an http(s) URL"},
		{"other scheme", Config{BaseURL: "ftp://host/v1", Model: "m"}, "not an http(s) URL"},
		{"no model", Config{BaseURL: "http://h/v1"}, "Model is required"},
		{"negative timeout", Config{BaseURL: "http://h/v1", Model: "m", Timeout: -1}, "Timeout"},
		{"negative budget", Config{BaseURL: "http://h/v1", Model: "m", MaxContextChars: -1}, "MaxContextChars"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.cfg)
			if tt.want == "" {
				if err != nil || p == nil {
					t.Fatalf("New = %v, %v", p, err)
				}
				if p.cfg.MaxContextChars != DefaultMaxContextChars || p.cfg.MaxChunks != DefaultMaxChunks || p.Model() != strings.TrimSpace(tt.cfg.Model) {
					t.Errorf("defaults not applied: %+v", p.cfg)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// Paths resolve under the base URL's version path with or without a
// trailing slash; the key goes as a bearer token, or not at all.
func TestBaseURLAndAuth(t *testing.T) {
	tests := []struct {
		name, suffix, key, wantAuth string
	}{
		{"no slash", "/v1", "sk-test", "Bearer sk-test"},
		{"slash", "/v1/", "sk-test", "Bearer sk-test"},
		{"no key", "/v1", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t) // answers only under /v1/, and fails on anything else
			f.onChat(replyJSON("ok"))
			p := f.provider(func(c *Config) { c.BaseURL = f.srv.URL + tt.suffix; c.APIKey = tt.key })
			if _, err := p.Chat(context.Background(), []Message{{Role: RoleUser, Content: "hi"}}, nil); err != nil {
				t.Fatal(err)
			}
			if got := f.authz[0]; got != tt.wantAuth {
				t.Errorf("Authorization = %q, want %q", got, tt.wantAuth)
			}
		})
	}
}

// The SDK's OPENAI_* environment defaults must not leak into Quorum's
// configuration: an ambient key must not reach a local server, nor an
// ambient base URL redirect the requests.
func TestIgnoresOpenAIEnvironment(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-ambient")
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
	t.Setenv("OPENAI_ORG_ID", "org-ambient")
	f := newFake(t)
	var orgHeader string
	f.onChat(func(w http.ResponseWriter, r *http.Request, _ chatRequest) {
		orgHeader = r.Header.Get("OpenAI-Organization")
		writeJSON(w, completion("ok", "stop"))
	})
	p := f.provider(func(c *Config) { c.APIKey = "" })
	if _, err := p.Chat(context.Background(), []Message{{Role: RoleUser, Content: "hi"}}, nil); err != nil {
		t.Fatal(err)
	}
	if f.authz[0] != "" || orgHeader != "" {
		t.Errorf("ambient credentials sent: Authorization %q, OpenAI-Organization %q", f.authz[0], orgHeader)
	}
}
