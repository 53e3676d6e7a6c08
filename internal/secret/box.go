package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of a Box key: AES-256.
const KeySize = 32

// KeyFile is the file in the data directory that holds the key when
// QUORUM_SECRET_KEY is unset.
const KeyFile = "secret.key"

// Box seals secrets that must be read back in clear (webhook signing
// secrets), with AES-256-GCM under one server key. A sealed value is the
// random nonce followed by the ciphertext and its tag.
type Box struct {
	aead cipher.AEAD
}

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("new cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("new GCM: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext. additional binds the result to its use (a row's
// identity, say), so a sealed value copied elsewhere does not open.
func (b *Box) Seal(plaintext, additional []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return b.aead.Seal(nonce, nonce, plaintext, additional)
}

// ErrSealed is returned when a sealed value does not open: another key, or
// tampered bytes.
var ErrSealed = errors.New("sealed secret does not open with this key")

// Open decrypts a value made by Seal with the same additional data.
func (b *Box) Open(sealed, additional []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return nil, ErrSealed
	}
	out, err := b.aead.Open(nil, sealed[:n], sealed[n:], additional)
	if err != nil {
		return nil, ErrSealed
	}
	return out, nil
}

// LoadKey returns the server's secret key: the base64 value of
// QUORUM_SECRET_KEY when set, otherwise the key in dataDir/secret.key,
// generated with mode 0600 on first use. Replicas must share the key, so
// they must set QUORUM_SECRET_KEY (or share the file).
func LoadKey(encoded, dataDir string) ([]byte, error) {
	if encoded != "" {
		return decodeKey(encoded)
	}
	path := filepath.Join(dataDir, KeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		return decodeKey(strings.TrimSpace(string(b)))
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate secret key: %w", err)
	}
	// Write a temporary file, then link it into place: the link fails if
	// another process got there first, and nobody ever reads a half-written
	// key.
	tmp, err := os.CreateTemp(dataDir, KeyFile+".*")
	if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("chmod key file: %w", err)
	}
	if _, err := tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("write key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return LoadKey("", dataDir)
	} else if err != nil {
		return nil, fmt.Errorf("install %s: %w", path, err)
	}
	return key, nil
}

func decodeKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("secret key is not base64: %w", err)
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key must decode to %d bytes, got %d", KeySize, len(key))
	}
	return key, nil
}
