package secret

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
)

func TestBoxRoundTrip(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	b, err := NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed := b.Seal([]byte("whsec_abc"), []byte("sub:1"))
	got, err := b.Open(sealed, []byte("sub:1"))
	if err != nil || string(got) != "whsec_abc" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open(sealed, []byte("sub:2")); err != ErrSealed {
		t.Fatalf("other additional data: err = %v, want ErrSealed", err)
	}
	other, _ := NewBox(bytes.Repeat([]byte{8}, KeySize))
	if _, err := other.Open(sealed, []byte("sub:1")); err != ErrSealed {
		t.Fatalf("other key: err = %v, want ErrSealed", err)
	}
	if bytes.Contains(sealed, []byte("whsec_abc")) {
		t.Fatal("sealed value contains the plaintext")
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, want 0600", st.Mode().Perm())
	}
	k2, err := LoadKey("", dir)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second load = %x, %v; want the same key", k2, err)
	}
	explicit := bytes.Repeat([]byte{1}, KeySize)
	k3, err := LoadKey(base64.StdEncoding.EncodeToString(explicit), dir)
	if err != nil || !bytes.Equal(k3, explicit) {
		t.Fatalf("explicit key = %x, %v", k3, err)
	}
	if _, err := LoadKey(base64.StdEncoding.EncodeToString([]byte("short")), dir); err == nil {
		t.Fatal("a short key was accepted")
	}
}
