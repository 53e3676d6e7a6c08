package openai

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quorumhq/quorum/internal/ai"
)

// errorsIsAll reports whether err matches every target.
func errorsIsAll(err error, targets ...error) bool {
	for _, t := range targets {
		if !errors.Is(err, t) {
			return false
		}
	}
	return err != nil
}

func TestUpstreamStatusErrors(t *testing.T) {
	tests := []struct {
		status  int
		code    string
		kind    error // nil: only ErrUpstream
		message string
	}{
		{http.StatusInternalServerError, "", ErrUnavailable, "The server had an error while processing your request."},
		{http.StatusBadGateway, "", ErrUnavailable, "bad gateway"},
		{http.StatusUnauthorized, "invalid_api_key", ErrUnauthorized, "Incorrect API key provided."},
		{http.StatusForbidden, "", ErrUnauthorized, "no access to model"},
		{http.StatusTooManyRequests, "insufficient_quota", ErrRateLimited, "You exceeded your current quota."},
		{http.StatusNotFound, "model_not_found", nil, "The model does not exist."},
	}
	kinds := []error{ErrUnavailable, ErrUnauthorized, ErrRateLimited, ErrBadResponse}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			f := newFake(t)
			f.onChat(func(w http.ResponseWriter, _ *http.Request, _ chatRequest) {
				writeAPIError(w, tt.status, tt.message, "error", tt.code)
			})
			_, err := f.provider().Chat(context.Background(), []Message{{Role: RoleUser, Content: "hi"}}, nil)
			var ue *UpstreamError
			if !errors.As(err, &ue) || !errors.Is(err, ErrUpstream) {
				t.Fatalf("err = %v, want an *UpstreamError", err)
			}
			if ue.StatusCode != tt.status || ue.Code != tt.code || ue.Message != tt.message || ue.Op != "chat" {
				t.Errorf("error = %+v", ue)
			}
			for _, k := range kinds {
				if got, want := errors.Is(err, k), k == tt.kind; got != want {
					t.Errorf("errors.Is(err, %v) = %v, want %v", k, got, want)
				}
			}
			if strings.Contains(err.Error(), f.srv.URL) || strings.Contains(err.Error(), "sk-test") {
				t.Errorf("error message leaks the URL or key: %q", err)
			}
		})
	}
}

// The SDK retries 5xx up to MaxRetries times, honouring retry-after-ms.
func TestRetriesAreBounded(t *testing.T) {
	f := newFake(t)
	var calls atomic.Int32
	f.onChat(func(w http.ResponseWriter, _ *http.Request, _ chatRequest) {
		calls.Add(1)
		w.Header().Set("retry-after-ms", "1")
		writeAPIError(w, http.StatusInternalServerError, "boom", "server_error", "")
	})
	_, err := f.provider(func(c *Config) { c.MaxRetries = 2 }).Chat(context.Background(), []Message{{Role: RoleUser, Content: "hi"}}, nil)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("calls = %d, want 1 + 2 retries", n)
	}
}

// A retry that succeeds hides the failure.
func TestRetryRecovers(t *testing.T) {
	f := newFake(t)
	f.onChat(
		func(w http.ResponseWriter, _ *http.Request, _ chatRequest) {
			w.Header().Set("retry-after-ms", "1")
			writeAPIError(w, http.StatusTooManyRequests, "slow down", "requests", "rate_limit_exceeded")
		},
		replyJSON("hello"),
	)
	r, err := f.provider(func(c *Config) { c.MaxRetries = 1 }).Chat(context.Background(), []Message{{Role: RoleUser, Content: "hi"}}, nil)
	if err != nil || r.Content != "hello" {
		t.Fatalf("Chat = %+v, %v", r, err)
	}
}

// The caller's cancellation ends the call at once and is reported as
// itself, not as an upstream failure, for plain and streamed calls alike.
func TestContextCancel(t *testing.T) {
	tests := []struct {
		name string
		call func(ctx context.Context, p *Provider) error
	}{
		{"chat", func(ctx context.Context, p *Provider) error {
			_, err := p.Chat(ctx, []Message{{Role: RoleUser, Content: "hi"}}, nil)
			return err
		}},
		{"stream", func(ctx context.Context, p *Provider) error {
			_, err := p.ChatStream(ctx, []Message{{Role: RoleUser, Content: "hi"}}, nil, nil)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			arrived := make(chan struct{})
			f.onChat(func(w http.ResponseWriter, r *http.Request, req chatRequest) {
				if req.Stream { // stream a little, then stall mid-answer
					writeSSE(w, false, chunk(map[string]any{"content": "Thinking"}, nil))
				}
				close(arrived)
				<-r.Context().Done() // hang until the client goes away
			})
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				<-arrived
				cancel()
			}()
			done := make(chan error, 1)
			go func() { done <- tt.call(ctx, f.provider(func(c *Config) { c.MaxRetries = 2 })) }()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUpstream) {
					t.Errorf("err = %v, want context.Canceled only", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("call did not return after cancel")
			}
		})
	}
}

// Config.Timeout bounds an attempt; running out is the upstream's fault.
func TestTimeoutIsUnavailable(t *testing.T) {
	f := newFake(t)
	f.onChat(func(w http.ResponseWriter, r *http.Request, _ chatRequest) { <-r.Context().Done() })
	p := f.provider(func(c *Config) { c.Timeout = 50 * time.Millisecond })
	_, err := p.Chat(context.Background(), []Message{{Role: RoleUser, Content: "hi"}}, nil)
	if !errorsIsAll(err, ErrUpstream, ErrUnavailable) || errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want ErrUnavailable", err)
	}
}

func TestConnectionRefusedIsUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	p, err := New(Config{BaseURL: "http://" + addr + "/v1", Model: "m", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Chat(context.Background(), []Message{{Role: RoleUser, Content: "hi"}}, nil)
	if !errorsIsAll(err, ErrUpstream, ErrUnavailable) {
		t.Errorf("err = %v, want ErrUnavailable", err)
	}
}

// The engine methods report upstream failures the same way.
func TestEngineUpstreamError(t *testing.T) {
	f := newFake(t)
	f.onChat(func(w http.ResponseWriter, _ *http.Request, _ chatRequest) {
		writeAPIError(w, http.StatusInternalServerError, "The server had an error", "server_error", "")
	})
	_, err := f.provider().Summarize(context.Background(), meeting(), ai.SummaryOptions{})
	var ue *UpstreamError
	if !errors.As(err, &ue) || ue.Op != "summarize" || ue.StatusCode != 500 || !errors.Is(err, ErrUnavailable) {
		t.Errorf("err = %v", err)
	}
	if n := len(f.chatCalls()); n != 1 {
		t.Errorf("calls = %d: a 500 must not trigger the response_format fallback", n)
	}
}

// Compatible servers word their errors differently; the status and message
// survive whatever the shape.
func TestErrorBodyShapes(t *testing.T) {
	tests := []struct {
		name, body, wantMsg string
	}{
		{"openai", `{"error":{"message":"model not found","type":"invalid_request_error","code":"model_not_found"}}`, "model not found"},
		{"ollama string", `{"error":"model 'llama9' not found, try pulling it first"}`, "model 'llama9' not found, try pulling it first"},
		{"vllm top level", `{"object":"error","message":"The model does not exist.","type":"NotFoundError","code":404}`, "The model does not exist."},
		{"fastapi detail", `{"detail":"Model not installed"}`, "Model not installed"},
		{"plain text", `404 page not found`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.onChat(func(w http.ResponseWriter, _ *http.Request, _ chatRequest) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(tt.body))
			})
			_, err := f.provider().Chat(context.Background(), []Message{{Role: RoleUser, Content: "hi"}}, nil)
			var ue *UpstreamError
			if !errors.As(err, &ue) || ue.StatusCode != http.StatusNotFound || ue.Message != tt.wantMsg {
				t.Fatalf("err = %#v, want status 404 and message %q", err, tt.wantMsg)
			}
			if errors.Is(err, ErrBadResponse) {
				t.Errorf("an error response was taken for a malformed success")
			}
		})
	}
}
