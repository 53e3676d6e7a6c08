package blob_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/blob"
	"github.com/quorumhq/quorum/internal/fault"
)

// contract is what every backend must do.
func contract(t *testing.T, s blob.Store) {
	t.Helper()
	ctx := context.Background()
	data := []byte("%PDF-1.7\x00\xff binary \r\n bytes")
	require.NoError(t, s.Put(ctx, "context/1/a", data, "application/pdf"))
	got, err := blob.ReadAll(ctx, s, "context/1/a")
	require.NoError(t, err)
	require.True(t, bytes.Equal(data, got))

	r, size, err := s.Open(ctx, "context/1/a")
	require.NoError(t, err)
	require.Equal(t, int64(len(data)), size)
	require.NoError(t, r.Close())

	require.NoError(t, s.Put(ctx, "context/1/a", []byte("v2"), "text/plain"))
	got, err = blob.ReadAll(ctx, s, "context/1/a")
	require.NoError(t, err)
	require.Equal(t, "v2", string(got))

	_, _, err = s.Open(ctx, "context/1/missing")
	require.True(t, errors.Is(err, fault.ErrNotFound), "missing object: %v", err)

	require.NoError(t, s.Delete(ctx, "context/1/a"))
	require.NoError(t, s.Delete(ctx, "context/1/a"), "deleting twice")
	_, _, err = s.Open(ctx, "context/1/a")
	require.True(t, errors.Is(err, fault.ErrNotFound))

	require.Error(t, s.Put(ctx, "../escape", data, ""))
	require.Error(t, s.Put(ctx, "", data, ""))
}

func TestFile(t *testing.T) {
	dir := t.TempDir() + "/blobs/nested"
	s, err := blob.Open(context.Background(), "file://"+dir)
	require.NoError(t, err)
	defer s.Close()
	contract(t, s)
}

func TestMem(t *testing.T) {
	s, err := blob.Open(context.Background(), "mem://")
	require.NoError(t, err)
	defer s.Close()
	contract(t, s)
}

// TestS3 speaks the S3 protocol to an in-process S3-compatible server.
func TestS3(t *testing.T) {
	backend := s3mem.New()
	require.NoError(t, backend.CreateBucket("quorum"))
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")

	s, err := blob.Open(context.Background(), "s3://quorum?region=us-east-1&use_path_style=true&disable_https=true&endpoint="+srv.URL)
	require.NoError(t, err)
	defer s.Close()
	contract(t, s)
}

func TestBadURL(t *testing.T) {
	for _, u := range []string{"ftp://x", "file://", "::"} {
		_, err := blob.Open(context.Background(), u)
		require.Error(t, err, u)
	}
}
