// Package blob stores uploaded files (context documents, recordings) as
// opaque objects under string keys. One URL chooses the backend: file://dir
// (the default, under the data dir), mem:// (tests, throwaway servers) or
// s3://bucket?region=...&endpoint=... for any S3-compatible object store,
// which replicas share. Credentials for S3 come from the usual AWS
// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, profiles).
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/memblob" // mem://
	_ "gocloud.dev/blob/s3blob"  // s3://
	"gocloud.dev/gcerrors"

	"github.com/quorumhq/quorum/internal/fault"
)

// Store keeps objects by key. Keys are slash-separated paths chosen by the
// caller (e.g. "context/<org>/<uuid>"); an object is written once and read
// back byte for byte.
type Store interface {
	// Put writes data under key, replacing any object there.
	Put(ctx context.Context, key string, data []byte, contentType string) error
	// Open returns a reader of the object and its size; a missing object is
	// fault.ErrNotFound.
	Open(ctx context.Context, key string) (io.ReadCloser, int64, error)
	// Delete removes the object; a missing object is not an error.
	Delete(ctx context.Context, key string) error
	// Close releases the backend.
	Close() error
}

// Bucket is a Store on a Go CDK bucket.
type Bucket struct {
	b *blob.Bucket
}

var _ Store = (*Bucket)(nil)

// Open opens the store a URL names: file:///abs/dir, mem:// or s3://bucket.
// A file:// directory is created when missing, and no metadata sidecar
// files are written beside the objects.
func Open(ctx context.Context, rawURL string) (*Bucket, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("blob URL: %w", err)
	}
	switch u.Scheme {
	case "file":
		dir := u.Path
		if u.Host != "" { // file://relative/dir
			dir = u.Host + u.Path
		}
		if dir == "" {
			return nil, errors.New("blob URL: file:// needs a directory")
		}
		b, err := fileblob.OpenBucket(dir, &fileblob.Options{CreateDir: true, Metadata: fileblob.MetadataDontWrite})
		if err != nil {
			return nil, fmt.Errorf("open blob directory %s: %w", dir, err)
		}
		return &Bucket{b: b}, nil
	case "mem", "s3":
		b, err := blob.OpenBucket(ctx, rawURL)
		if err != nil {
			return nil, fmt.Errorf("open blob bucket %s://%s: %w", u.Scheme, u.Host, err)
		}
		return &Bucket{b: b}, nil
	}
	return nil, fmt.Errorf("blob URL: unsupported scheme %q (want file, mem or s3)", u.Scheme)
}

func validKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "..") {
		return fmt.Errorf("invalid blob key %q", key)
	}
	return nil
}

// Put implements Store.
func (s *Bucket) Put(ctx context.Context, key string, data []byte, contentType string) error {
	if err := validKey(key); err != nil {
		return err
	}
	if err := s.b.WriteAll(ctx, key, data, &blob.WriterOptions{ContentType: contentType}); err != nil {
		return fmt.Errorf("write blob %s: %w", key, err)
	}
	return nil
}

// Open implements Store.
func (s *Bucket) Open(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	if err := validKey(key); err != nil {
		return nil, 0, err
	}
	r, err := s.b.NewReader(ctx, key, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, 0, fault.NotFound("blob")
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read blob %s: %w", key, err)
	}
	return r, r.Size(), nil
}

// Delete implements Store.
func (s *Bucket) Delete(ctx context.Context, key string) error {
	if err := validKey(key); err != nil {
		return err
	}
	err := s.b.Delete(ctx, key)
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}

// Close implements Store.
func (s *Bucket) Close() error { return s.b.Close() }

// ReadAll reads a whole object.
func ReadAll(ctx context.Context, s Store, key string) ([]byte, error) {
	r, _, err := s.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", key, err)
	}
	return data, nil
}
