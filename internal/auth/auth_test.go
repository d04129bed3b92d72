package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kafka-enterprise-orders/orders/internal/auth"
)

// TestVerifierTakesKeysFromAJWKSEndpoint: tokens are checked against the
// keys an identity provider serves over HTTP, as against a JWKS file; a
// token signed by another key, for another issuer or past its expiry is
// refused.
func TestVerifierTakesKeysFromAJWKSEndpoint(t *testing.T) {
	idp, err := auth.NewDevIssuer("https://idp.example")
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := idp.JWKS()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwks)
	}))
	defer srv.Close()
	fileCfg, err := idp.WriteJWKS(filepath.Join(t.TempDir(), "jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for name, cfg := range map[string]auth.Config{
		"endpoint": {JWKSURL: srv.URL, Issuer: "https://idp.example", Audience: auth.DevAudience},
		"file":     fileCfg,
	} {
		t.Run(name, func(t *testing.T) {
			v, err := auth.NewVerifier(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			good, err := idp.Token("alice", time.Hour, auth.ScopeRead)
			if err != nil {
				t.Fatal(err)
			}
			caller, err := v.Verify(ctx, good)
			if err != nil || caller.Subject != "alice" || !slices.Equal(caller.Scopes, []string{auth.ScopeRead}) || caller.Has(auth.ScopeWrite) {
				t.Fatalf("Verify = %+v, %v; want alice with orders:read only", caller, err)
			}
			other, err := auth.NewDevIssuer("https://idp.example")
			if err != nil {
				t.Fatal(err)
			}
			stranger, err := auth.NewDevIssuer("https://elsewhere.example")
			if err != nil {
				t.Fatal(err)
			}
			for what, mint := range map[string]func() (string, error){
				"another key":    func() (string, error) { return other.Token("mallory", time.Hour, auth.ScopeWrite) },
				"another issuer": func() (string, error) { return stranger.Token("mallory", time.Hour, auth.ScopeWrite) },
				"expired":        func() (string, error) { return idp.Token("alice", -time.Minute, auth.ScopeWrite) },
				"not a JWT":      func() (string, error) { return "not-a-token", nil },
			} {
				tok, err := mint()
				if err != nil {
					t.Fatal(err)
				}
				if _, err := v.Verify(ctx, tok); err == nil {
					t.Errorf("a token from %s was accepted", what)
				}
			}
		})
	}
}

func TestNeeds(t *testing.T) {
	for procedure, want := range map[string]string{
		"/orders.v1.OrderService/PlaceOrder":                  auth.ScopeWrite,
		"/orders.v1.OrderService/GetOrder":                    auth.ScopeRead,
		"/orders.v1.OrderService/ListOrders":                  auth.ScopeRead,
		"/analytics.v1.AnalyticsService/WatchCountryStats":    auth.ScopeRead,
		"/some.v1.Service/Delete":                             auth.ScopeWrite, // anything new is a write until said otherwise
		"/deadletters.v1.DeadLetterService/ListDeadLetters":   auth.ScopeAdmin, // operators only, reads too
		"/deadletters.v1.DeadLetterService/ReplayDeadLetters": auth.ScopeAdmin,
		"/deadletters.v1.DeadLetterServiceX/ListThings":       auth.ScopeRead,
	} {
		if got := auth.Needs(procedure); got != want {
			t.Errorf("Needs(%s) = %s, want %s", procedure, got, want)
		}
	}
}
