package client

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestVerifyStandardWebhook(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"test": 2432232314}`)
	h := http.Header{}
	h.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set("webhook-timestamp", "1614265330")
	// The reference libraries' example, with a second, unknown signature
	// first as during a rotation.
	h.Set("webhook-signature", "v1,Zm9vYmFy v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	old := time.Since(time.Unix(1614265330, 0)) + time.Hour
	if err := VerifyStandardWebhook(secret, h, body, old); err != nil {
		t.Fatalf("reference example refused: %v", err)
	}
	if err := VerifyStandardWebhook(secret, h, []byte(`{"test": 2432232315}`), old); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered body: err = %v", err)
	}
	if err := VerifyStandardWebhook(secret, h, body, 0); !errors.Is(err, ErrStale) {
		t.Fatalf("old timestamp: err = %v", err)
	}
	h.Set("webhook-timestamp", strconv.FormatInt(time.Now().Unix(), 10))
	if err := VerifyStandardWebhook(secret, h, body, 0); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("signature of another timestamp: err = %v", err)
	}
}

func TestVerifyContioSignature(t *testing.T) {
	body := []byte(`{"event_type":"meeting.created"}`)
	// HMAC-SHA256 of body keyed with "secret", computed with openssl.
	const sig = "sha256=81065d51687cbd145f3dd2175f7f7d8aedee6a1612b0dea3ace70eb938e39ecb"
	if err := VerifyContioSignature("secret", body, sig); err != nil {
		t.Fatalf("valid signature refused: %v", err)
	}
	if err := VerifyContioSignature("secret", body, "sha256=81065D51687CBD145F3DD2175F7F7D8AEDEE6A1612B0DEA3ACE70EB938E39ECB"); err != nil {
		t.Fatalf("uppercase hex refused: %v", err)
	}
	if err := VerifyContioSignature("other", body, sig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("wrong secret: err = %v", err)
	}
	for _, tc := range []struct {
		header string
		want   error
	}{
		{"", ErrNoSignature},
		{"sha1=00", ErrBadSignature},
		{"sha256=zz", ErrBadSignature},
		{"t=1,v1=abc", ErrBadSignature},
	} {
		if err := VerifyContioSignature("secret", body, tc.header); !errors.Is(err, tc.want) {
			t.Errorf("header %q: err = %v, want %v", tc.header, err, tc.want)
		}
	}
}
