// Package openai is Quorum's model-backed intelligence provider: it speaks
// the OpenAI HTTP API (chat completions, embeddings, audio transcriptions)
// through the official SDK, so the same code drives OpenAI itself and any
// compatible server (Ollama, vLLM, llama.cpp server, LocalAI).
//
// A *Provider implements ai.Engine on top of chat completions with
// structured (JSON schema) output, and adds what only a model server can do:
// tool-calling chat for the agent (Chat, ChatStream) and speech-to-text
// (Transcribe). Upstream failures come back as *UpstreamError, which matches
// ErrUpstream and, by cause, ErrUnauthorized, ErrRateLimited or
// ErrUnavailable, so the HTTP layer can choose 502 or 503 without parsing.
package openai

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/quorumhq/quorum/internal/ai"
)

// Defaults for the zero values of Config.
const (
	// DefaultMaxRetries bounds the SDK's own retries of 408/409/429/5xx and
	// connection failures. Two keeps a flaky local server usable without
	// letting one request stall a queue for long.
	DefaultMaxRetries = 2
	// DefaultMaxContextChars is the transcript budget of one prompt, at about
	// four characters a token ≈ 6k tokens. It is sized for the small
	// context windows local servers default to (Ollama silently drops the
	// start of a prompt that overflows, instructions included); raise it for
	// hosted models with long contexts.
	DefaultMaxContextChars = 24_000
	// DefaultMaxChunks caps the calls one item extraction (action items,
	// decisions, questions) may split a long transcript into.
	DefaultMaxChunks = 6
	// embedBatch is how many inputs go in one embeddings request; OpenAI
	// accepts up to 2048, local servers are happier with fewer.
	embedBatch = 256
)

// Config selects and tunes an OpenAI-compatible endpoint. BaseURL and Model
// are required; everything else has a default.
type Config struct {
	// BaseURL is the API root including its version path, as the server
	// documents it: "https://api.openai.com/v1",
	// "http://127.0.0.1:11434/v1" (Ollama), "http://host:8000/v1" (vLLM).
	// Endpoint paths ("chat/completions") are resolved against it.
	BaseURL string
	// APIKey is sent as a bearer token; empty sends no Authorization header,
	// which is what most local servers expect.
	APIKey string
	// Model is the chat model used by the ai.Engine methods and Chat.
	Model string
	// EmbedModel is the embeddings model; Embed fails when it is empty.
	EmbedModel string
	// TranscribeModel is the speech-to-text model Transcribe uses when it is
	// not given one ("whisper-1" on OpenAI).
	TranscribeModel string
	// HTTPClient carries the requests; nil uses a client of its own. Its
	// Timeout, if any, also bounds streamed responses.
	HTTPClient *http.Client
	// Timeout bounds each attempt of a request, reading a streamed body
	// included; 0 leaves only the caller's context.
	Timeout time.Duration
	// MaxRetries is how many times the SDK retries a failed attempt: 0 means
	// DefaultMaxRetries, a negative value disables retries.
	MaxRetries int
	// MaxContextChars is the transcript budget of one prompt; 0 means
	// DefaultMaxContextChars. See the transcript windowing in transcript.go.
	MaxContextChars int
	// MaxChunks caps the calls of one item extraction; 0 means
	// DefaultMaxChunks.
	MaxChunks int
}

// Provider talks to one OpenAI-compatible endpoint. It is safe for
// concurrent use.
type Provider struct {
	cfg        Config
	chat       oai.ChatCompletionService
	embeddings oai.EmbeddingService
	audio      oai.AudioTranscriptionService

	// noSchema is set once the server has rejected a json_schema
	// response_format and accepted the same request without it, so later
	// calls skip the doomed first attempt.
	noSchema atomic.Bool
}

var _ ai.Engine = (*Provider)(nil)

// New validates cfg and returns a Provider for it. It makes no request: an
// unreachable server shows up on first use as ErrUnavailable.
func New(cfg Config) (*Provider, error) {
	cfg.BaseURL = strings.TrimSpace(cfg.BaseURL)
	cfg.Model = strings.TrimSpace(cfg.Model)
	cfg.EmbedModel = strings.TrimSpace(cfg.EmbedModel)
	cfg.TranscribeModel = strings.TrimSpace(cfg.TranscribeModel)
	if cfg.BaseURL == "" {
		return nil, errors.New("openai: config: BaseURL is required")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("openai: config: BaseURL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.Model == "" {
		return nil, errors.New("openai: config: Model is required")
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("openai: config: Timeout must not be negative")
	}
	if cfg.MaxContextChars < 0 || cfg.MaxChunks < 0 {
		return nil, errors.New("openai: config: MaxContextChars and MaxChunks must not be negative")
	}
	if cfg.MaxContextChars == 0 {
		cfg.MaxContextChars = DefaultMaxContextChars
	}
	if cfg.MaxChunks == 0 {
		cfg.MaxChunks = DefaultMaxChunks
	}
	retries := cfg.MaxRetries
	switch {
	case retries == 0:
		retries = DefaultMaxRetries
	case retries < 0:
		retries = 0
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient()
	}

	// The services are built directly rather than through oai.NewClient,
	// which would also read OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID
	// and friends from the environment: Quorum's configuration is the
	// QUORUM_AI_* keys alone, and an ambient OpenAI key must never be sent
	// to a local server.
	opts := []option.RequestOption{
		option.WithHTTPClient(hc),
		option.WithBaseURL(cfg.BaseURL), // adds the trailing slash paths resolve against
		option.WithAPIKey(cfg.APIKey),
		option.WithMaxRetries(retries),
		option.WithMiddleware(normalizeErrorBody),
	}
	if cfg.Timeout > 0 {
		opts = append(opts, option.WithRequestTimeout(cfg.Timeout))
	}
	return &Provider{
		cfg:        cfg,
		chat:       oai.NewChatCompletionService(opts...),
		embeddings: oai.NewEmbeddingService(opts...),
		audio:      oai.NewAudioTranscriptionService(opts...),
	}, nil
}

// Model returns the chat model the provider was configured with.
func (p *Provider) Model() string { return p.cfg.Model }

// defaultHTTPClient bounds the wait for response headers so a wedged server
// fails as ErrUnavailable instead of hanging a job forever. The bound is
// generous because a non-streamed completion sends its headers only when the
// whole answer is generated, which takes minutes on a CPU-only local model.
// A wrapped http.DefaultTransport (tracing) is kept as it is.
func defaultHTTPClient() *http.Client {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return &http.Client{Transport: http.DefaultTransport}
	}
	t = t.Clone()
	t.ResponseHeaderTimeout = 10 * time.Minute
	return &http.Client{Transport: t}
}
