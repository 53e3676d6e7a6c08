package netguard

import (
	"errors"
	"testing"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url          string
		allowPrivate bool
		wantPrivate  bool
		wantErr      bool
	}{
		{"https://hooks.example.com/quorum", false, false, false},
		{"http://203.0.113.9:8080/x", false, false, false},
		{"http://localhost:8080/x", false, true, true},
		{"http://127.0.0.1/x", false, true, true},
		{"http://[::1]/x", false, true, true},
		{"http://10.1.2.3/x", false, true, true},
		{"http://192.168.0.10/x", false, true, true},
		{"http://169.254.169.254/latest/meta-data", false, true, true},
		{"http://[::ffff:127.0.0.1]/x", false, true, true},
		{"http://100.64.0.1/x", false, true, true},
		{"http://metadata.google.internal/", false, true, true},
		{"http://127.0.0.1/x", true, false, false},
		{"ftp://example.com/x", false, false, true},
		{"https://user:pw@example.com/x", false, false, true},
		{"/relative", false, false, true},
	}
	for _, tt := range tests {
		err := CheckURL(tt.url, tt.allowPrivate)
		if (err != nil) != tt.wantErr {
			t.Errorf("CheckURL(%q, %v) = %v, want error %v", tt.url, tt.allowPrivate, err, tt.wantErr)
		}
		if errors.Is(err, ErrPrivate) != tt.wantPrivate {
			t.Errorf("CheckURL(%q) private = %v, want %v", tt.url, errors.Is(err, ErrPrivate), tt.wantPrivate)
		}
	}
}
