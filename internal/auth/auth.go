// Package auth authenticates and authorizes RPC callers with OAuth 2.0
// bearer tokens: JWTs verified against a JSON Web Key Set (an identity
// provider's JWKS URL, or a JWKS file) by go-oidc. A token's "scope" claim
// grants ScopeRead (Get…, List… and Watch… calls), ScopeWrite (every
// other call, such as PlaceOrder) and ScopeAdmin (the operators' dead-letter
// service).
//
// The interceptor guards RPCs only: health, readiness and reflection are
// plain HTTP handlers beside it and stay open.
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"connectrpc.com/connect"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"

	"github.com/kafka-enterprise-orders/orders/internal/config"
)

// The scopes a token's "scope" claim (space-separated) may grant.
const (
	ScopeRead  = "orders:read"
	ScopeWrite = "orders:write"
	// ScopeAdmin is for operators: every call of the services in
	// adminServices, which read and write any topic's records.
	ScopeAdmin = "orders:admin"
)

// adminServices are the services whose every call needs ScopeAdmin.
var adminServices = []string{"deadletters.v1.DeadLetterService"}

// Config says where the signing keys come from and what the tokens must
// say. It is enabled when a key source is set.
type Config struct {
	JWKSURL  string // the identity provider's JWKS endpoint
	JWKSFile string // or a JWKS document on disk
	Issuer   string // the "iss" every token must carry
	Audience string // the "aud" every token must include
}

// Register adds the --auth-* options.
func (c *Config) Register(s *config.Set) {
	s.String(&c.JWKSURL, "auth-jwks-url", "", "JWKS URL of the identity provider whose bearer tokens the RPCs require")
	s.String(&c.JWKSFile, "auth-jwks-file", "", "JWKS file with the keys whose bearer tokens the RPCs require (instead of --auth-jwks-url)")
	s.String(&c.Issuer, "auth-issuer", "", "issuer (iss) the bearer tokens must carry")
	s.String(&c.Audience, "auth-audience", "orders", "audience (aud) the bearer tokens must include")
}

// Enabled reports whether a key source is configured.
func (c Config) Enabled() bool { return c.JWKSURL != "" || c.JWKSFile != "" }

// algorithms are the signing algorithms accepted.
var algorithms = []string{oidc.RS256, oidc.ES256, oidc.EdDSA}

// Verifier checks bearer tokens.
type Verifier struct {
	v *oidc.IDTokenVerifier
}

// NewVerifier builds the verifier of cfg. A remote key set is fetched on
// first use and again when a token names a key it lacks; ctx bounds it.
func NewVerifier(ctx context.Context, cfg Config) (*Verifier, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("auth: --auth-issuer is required with a key source")
	}
	var keys oidc.KeySet
	switch {
	case cfg.JWKSURL != "" && cfg.JWKSFile != "":
		return nil, errors.New("auth: set --auth-jwks-url or --auth-jwks-file, not both")
	case cfg.JWKSURL != "":
		keys = oidc.NewRemoteKeySet(ctx, cfg.JWKSURL)
	default:
		static, err := readKeySet(cfg.JWKSFile)
		if err != nil {
			return nil, err
		}
		keys = static
	}
	return &Verifier{v: oidc.NewVerifier(cfg.Issuer, keys, &oidc.Config{
		ClientID: cfg.Audience, SkipClientIDCheck: cfg.Audience == "", SupportedSigningAlgs: algorithms,
	})}, nil
}

func readKeySet(path string) (*oidc.StaticKeySet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: read JWKS: %w", err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("auth: %s is not a JWKS: %w", path, err)
	}
	static := &oidc.StaticKeySet{}
	for _, k := range set.Keys {
		if !k.Valid() || !k.IsPublic() {
			return nil, fmt.Errorf("auth: %s holds a key (kid %q) that is not a valid public key", path, k.KeyID)
		}
		static.PublicKeys = append(static.PublicKeys, k.Key)
	}
	if len(static.PublicKeys) == 0 {
		return nil, fmt.Errorf("auth: %s holds no keys", path)
	}
	return static, nil
}

// Caller is who made a verified call.
type Caller struct {
	Subject string
	Scopes  []string
}

// Has reports whether the caller was granted scope.
func (c Caller) Has(scope string) bool {
	for _, s := range c.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// Verify checks a bearer token and returns its caller.
func (v *Verifier) Verify(ctx context.Context, token string) (Caller, error) {
	tok, err := v.v.Verify(ctx, token)
	if err != nil {
		return Caller{}, fmt.Errorf("verify token: %w", err)
	}
	var claims struct {
		Scope string `json:"scope"`
	}
	if err := tok.Claims(&claims); err != nil {
		return Caller{}, fmt.Errorf("token claims: %w", err)
	}
	return Caller{Subject: tok.Subject, Scopes: strings.Fields(claims.Scope)}, nil
}

// Needs is the scope a procedure ("/pkg.Service/Method") requires:
// ScopeAdmin for an operators' service, else ScopeRead for Get…, List…
// and Watch… methods, ScopeWrite for any other.
func Needs(procedure string) string {
	cut := strings.LastIndex(procedure, "/")
	if slices.Contains(adminServices, strings.TrimPrefix(procedure[:max(cut, 0)], "/")) {
		return ScopeAdmin
	}
	method := procedure[cut+1:]
	for _, read := range []string{"Get", "List", "Watch"} {
		if strings.HasPrefix(method, read) {
			return ScopeRead
		}
	}
	return ScopeWrite
}

// Interceptor refuses calls without a valid bearer token (Unauthenticated)
// and calls whose token lacks the scope Needs names (PermissionDenied).
func Interceptor(v *Verifier) connect.Interceptor { return &interceptor{v: v} }

type interceptor struct{ v *Verifier }

// authorize verifies the call's token and returns ctx with its caller.
func (i *interceptor) authorize(ctx context.Context, procedure, header string) (context.Context, error) {
	scheme, token, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("a bearer token is required (Authorization: Bearer <token>)"))
	}
	caller, err := i.v.Verify(ctx, strings.TrimSpace(token))
	if err != nil {
		return nil, connect.NewError(connect.CodeUnauthenticated, err)
	}
	if need := Needs(procedure); !caller.Has(need) {
		return nil, connect.NewError(connect.CodePermissionDenied, fmt.Errorf("%s needs scope %s", procedure, need))
	}
	return context.WithValue(ctx, callerKey{}, caller), nil
}

type callerKey struct{}

// CallerFrom returns the verified caller of an RPC, when the service
// requires tokens.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

func (i *interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		ctx, err := i.authorize(ctx, req.Spec().Procedure, req.Header().Get("Authorization"))
		if err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (i *interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i *interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, err := i.authorize(ctx, conn.Spec().Procedure, conn.RequestHeader().Get("Authorization"))
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}
