package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// DevIssuer mints tokens for a development stack: a fresh ES256 key whose
// public half goes into a JWKS file the services verify against. It is no
// identity provider; production uses one (--auth-jwks-url).
type DevIssuer struct {
	Issuer string
	key    *ecdsa.PrivateKey
	kid    string
}

// DevAudience is the audience of development tokens, the services' default.
const DevAudience = "orders"

// NewDevIssuer generates a signing key for issuer.
func NewDevIssuer(issuer string) (*DevIssuer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("auth: generate development key: %w", err)
	}
	return &DevIssuer{Issuer: issuer, key: key, kid: fmt.Sprintf("dev-%d", time.Now().Unix())}, nil
}

// WriteJWKS writes the public key as a JWKS file and returns the Config
// that verifies the issuer's tokens with it.
func (d *DevIssuer) WriteJWKS(path string) (Config, error) {
	b, err := d.JWKS()
	if err != nil {
		return Config{}, err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return Config{}, fmt.Errorf("auth: write JWKS: %w", err)
	}
	return Config{JWKSFile: path, Issuer: d.Issuer, Audience: DevAudience}, nil
}

// JWKS is the JSON Web Key Set of the issuer's public key.
func (d *DevIssuer) JWKS() ([]byte, error) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &d.key.PublicKey, KeyID: d.kid, Algorithm: string(jose.ES256), Use: "sig"}}}
	b, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("auth: encode JWKS: %w", err)
	}
	return b, nil
}

// Token mints a token for subject with scopes, valid for ttl.
func (d *DevIssuer) Token(subject string, ttl time.Duration, scopes ...string) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: d.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", d.kid))
	if err != nil {
		return "", fmt.Errorf("auth: signer: %w", err)
	}
	now := time.Now()
	claims := jwt.Claims{Issuer: d.Issuer, Subject: subject, Audience: jwt.Audience{DevAudience},
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)), Expiry: jwt.NewNumericDate(now.Add(ttl))}
	tok, err := jwt.Signed(signer).Claims(claims).Claims(map[string]any{"scope": strings.Join(scopes, " ")}).Serialize()
	if err != nil {
		return "", fmt.Errorf("auth: sign token: %w", err)
	}
	return tok, nil
}
