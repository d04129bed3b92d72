package gateway

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
)

// browserSafe guards the gateway against requests a web page in a browser
// can make on a visitor's behalf (against a developer's localhost:8080,
// say):
//   - a body must be declared application/json. Browsers send text/plain
//     and form bodies cross-origin without asking first (no CORS
//     preflight); the JSON decoder would read them all the same.
//   - a request with an Origin header must come from the gateway's own
//     origin or one of allowed (scheme://host[:port]), which also get the
//     CORS headers that let their pages read the answers.
//
// Clients that are not browsers (curl, SDKs) send no Origin and are not
// affected.
func browserSafe(next http.Handler, allowed []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" {
			listed := slices.Contains(allowed, origin)
			if !listed && !sameOrigin(origin, r) {
				writeError(w, http.StatusForbidden, 7, "origin "+origin+" is not allowed; see --allowed-origins")
				return
			}
			if listed {
				w.Header().Set("Access-Control-Allow-Origin", origin)
				w.Header().Add("Vary", "Origin")
				if r.Method == http.MethodOptions {
					w.Header().Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
					w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
					w.Header().Set("Access-Control-Max-Age", "600")
					w.WriteHeader(http.StatusNoContent)
					return
				}
			}
		}
		if hasBody(r) {
			if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType, 3, "request bodies must be sent as Content-Type: application/json")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// hasBody reports a request that carries, or may carry, a body.
func hasBody(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodDelete:
		return r.ContentLength > 0
	}
	return true
}

// sameOrigin reports whether origin names the host the request was sent to.
func sameOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && u.Host == r.Host && (u.Scheme == "http" || u.Scheme == "https")
}

// writeError answers in the gateway's JSON error shape (a google.rpc.Status
// with its gRPC code).
func writeError(w http.ResponseWriter, status, code int, message string) {
	body, _ := json.Marshal(struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{code, message}) // cannot fail: an int and a string
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
