// Package secret generates, hashes and compares credentials. Tokens and API
// keys are long random strings, so a fast SHA-256 digest is a safe at-rest
// form that still allows lookup by hash; passwords are low-entropy and get
// bcrypt.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"

	"golang.org/x/crypto/bcrypt"
)

// New returns prefix followed by 32 random bytes in unpadded base64url.
func New(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // the OS is broken; nothing sane is left to do
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// Digits returns n random decimal digits, for one-time codes.
func Digits(n int) string {
	out := make([]byte, n)
	for i := range out {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			panic(fmt.Sprintf("crypto/rand failed: %v", err))
		}
		out[i] = byte('0' + d.Int64())
	}
	return string(out)
}

// Hash returns the hex SHA-256 digest under which a token is stored.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Matches reports, in constant time, whether token hashes to storedHash.
func Matches(token, storedHash string) bool {
	return Equal(Hash(token), storedHash)
}

// Equal compares two strings in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Hint returns the last four characters of a credential, for display.
func Hint(s string) string {
	if len(s) <= 4 {
		return s
	}
	return s[len(s)-4:]
}

// passwordCost is bcrypt's default; a variable so tests can lower it.
var passwordCost = bcrypt.DefaultCost

// HashPassword hashes a password with bcrypt.
func HashPassword(password string) (string, error) {
	if len(password) > 72 {
		return "", fmt.Errorf("password longer than 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), passwordCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password matches hash (constant time).
func CheckPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
