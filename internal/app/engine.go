package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/quorumhq/quorum/internal/agent"
	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/offline"
	"github.com/quorumhq/quorum/internal/ai/openai"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/media"
)

// offlineModel names the built-in engine in answers ("model" fields).
const offlineModel = "quorum-offline"

// engine picks the intelligence engine: an OpenAI-compatible endpoint when
// one is configured, else the offline engine. chat is nil offline.
func engine(cfg config.Config) (e ai.Engine, chat agent.Chat, model string, err error) {
	if cfg.AIBaseURL == "" {
		return offline.Engine{}, nil, offlineModel, nil
	}
	p, err := openai.New(openai.Config{BaseURL: cfg.AIBaseURL, APIKey: cfg.AIAPIKey, Model: cfg.AIModel, EmbedModel: cfg.AIEmbedModel})
	if err != nil {
		return nil, nil, "", fmt.Errorf("QUORUM_AI_BASE_URL: %w", err)
	}
	return p, chatAdapter{p}, p.Model(), nil
}

// chatAdapter lets the agent drive the provider's tool-calling chat.
type chatAdapter struct{ p *openai.Provider }

func (c chatAdapter) Chat(ctx context.Context, msgs []agent.Message, tools []agent.ToolSpec) (agent.Reply, error) {
	in := make([]openai.Message, len(msgs))
	for i, m := range msgs {
		in[i] = openai.Message{Role: m.Role, Content: m.Content, ToolCallID: m.ToolCallID, ToolCalls: toProviderCalls(m.ToolCalls)}
	}
	specs := make([]openai.Tool, len(tools))
	for i, t := range tools {
		specs[i] = openai.Tool{Name: t.Name, Description: t.Description, Parameters: t.Parameters}
	}
	r, err := c.p.Chat(ctx, in, specs)
	if err != nil {
		return agent.Reply{}, err
	}
	out := agent.Reply{Content: r.Content, Model: r.Model}
	for _, tc := range r.ToolCalls {
		out.ToolCalls = append(out.ToolCalls, agent.ToolCall{ID: tc.ID, Name: tc.Name, Arguments: tc.Arguments})
	}
	return out, nil
}

func toProviderCalls(calls []agent.ToolCall) []openai.ToolCall {
	out := make([]openai.ToolCall, len(calls))
	for i, c := range calls {
		out[i] = openai.ToolCall{ID: c.ID, Name: c.Name, Arguments: c.Arguments}
	}
	return out
}

// speech picks the speech-to-text backend, as the engine is picked: the
// OpenAI-compatible endpoint when configured, else PocketSphinx when it is
// installed, else none (audio and video imports then fail with a message
// saying what to install). It logs its choice, since an operator cannot
// see it otherwise.
func speech(cfg config.Config, tools media.Tools, logger *slog.Logger) (media.Speech, error) {
	if tools.FFmpeg == "" {
		logger.Warn("ffmpeg is not installed: audio and video imports will fail; install the Debian packages " + media.OfflinePackages)
	}
	if cfg.AIBaseURL != "" {
		p, err := openai.New(openai.Config{BaseURL: cfg.AIBaseURL, APIKey: cfg.AIAPIKey, Model: cfg.AIModel,
			EmbedModel: cfg.AIEmbedModel, TranscribeModel: transcribeModel})
		if err != nil {
			return nil, fmt.Errorf("QUORUM_AI_BASE_URL: %w", err)
		}
		logger.Info("Speech-to-text backend: OpenAI-compatible endpoint", "url", cfg.AIBaseURL, "model", transcribeModel)
		return media.Remote{Provider: p}, nil
	}
	if tools.Pocketsphinx != "" {
		logger.Info("Speech-to-text backend: offline PocketSphinx (US English)", "path", tools.Pocketsphinx)
		return media.Pocketsphinx{Path: tools.Pocketsphinx}, nil
	}
	logger.Warn("Speech-to-text backend: none; audio and video imports will fail. Set QUORUM_AI_BASE_URL, or install the Debian packages " +
		media.OfflinePackages + " for the offline engine")
	return nil, nil
}

// transcribeModel is the speech-to-text model asked of the endpoint.
const transcribeModel = "whisper-1"
