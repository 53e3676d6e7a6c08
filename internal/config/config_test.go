package config

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLoadDefaults(t *testing.T) {
	c, _, err := Load(nil, nil, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:8080", c.Addr)
	require.Equal(t, "sqlite://quorum-data/quorum.db", c.DatabaseURL)
	require.True(t, strings.HasPrefix(c.BlobURL, "file:///"))
	require.Equal(t, "http://127.0.0.1:8080", c.PublicURL)
	require.True(t, c.EnforceScopes)
	require.Equal(t, slog.LevelInfo, c.LogLevel)
	require.Equal(t, 8*time.Second, c.PresenceTTL)
	require.Equal(t, 20000, c.MaxStreams)
	require.Equal(t, 10000, c.MaxStreamsPerOrg)
	require.Equal(t, "quorum", c.RealtimePrefix)
	require.Equal(t, 30*time.Second, c.AITimeout)
}

func TestAITimeout(t *testing.T) {
	c, _, err := Load([]string{"--ai-timeout", "1ms"}, nil, io.Discard)
	require.NoError(t, err)
	require.Equal(t, time.Millisecond, c.AITimeout)
	c, _, err = Load(nil, []string{"QUORUM_AI_TIMEOUT=0"}, io.Discard)
	require.NoError(t, err)
	require.Zero(t, c.AITimeout)
}

func TestFlagsWinOverEnvironment(t *testing.T) {
	c, _, err := Load([]string{"--addr", "127.0.0.1:9000"}, []string{"QUORUM_ADDR=127.0.0.1:7000", "QUORUM_LOG_FORMAT=json"}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:9000", c.Addr)
	require.Equal(t, "json", c.LogFormat)
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     []string
		wantErr string
	}{
		{"unknown variable", nil, []string{"QUORUM_ADRR=x"}, "QUORUM_ADRR"},
		{"bad address", []string{"--addr", "nope"}, nil, "QUORUM_ADDR"},
		{"bad log level", nil, []string{"QUORUM_LOG_LEVEL=loud"}, "QUORUM_LOG_LEVEL"},
		{"bad log format", nil, []string{"QUORUM_LOG_FORMAT=xml"}, "QUORUM_LOG_FORMAT"},
		{"bad database scheme", nil, []string{"QUORUM_DATABASE_URL=mysql://x"}, "QUORUM_DATABASE_URL"},
		{"bad bool", nil, []string{"QUORUM_ENFORCE_SCOPES=maybe"}, "QUORUM_ENFORCE_SCOPES"},
		{"bad redis scheme", []string{"--redis-url", "http://x"}, nil, "QUORUM_REDIS_URL"},
		{"presence TTL without unit", nil, []string{"QUORUM_PRESENCE_TTL=8"}, "QUORUM_PRESENCE_TTL"},
		{"presence TTL too short", []string{"--presence-ttl", "1ms"}, nil, "QUORUM_PRESENCE_TTL"},
		{"zero stream limit", nil, []string{"QUORUM_MAX_STREAMS=0"}, "QUORUM_MAX_STREAMS"},
		{"bad realtime prefix", nil, []string{"QUORUM_REALTIME_PREFIX=a:b"}, "QUORUM_REALTIME_PREFIX"},
		{"unknown flag", []string{"--colour"}, nil, "colour"},
		{"bad AI timeout", nil, []string{"QUORUM_AI_TIMEOUT=soon"}, "QUORUM_AI_TIMEOUT"},
		{"negative AI timeout", []string{"--ai-timeout", "-1s"}, nil, "QUORUM_AI_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Load(tt.args, tt.env, io.Discard)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestBareBooleanFlags(t *testing.T) {
	c, _, err := Load([]string{"--allow-private-urls", "--enforce-scopes=false"}, nil, io.Discard)
	require.NoError(t, err)
	require.True(t, c.AllowPrivateURLs)
	require.False(t, c.EnforceScopes)
}
