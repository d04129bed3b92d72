package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"
)

// Registry is an in-process Schema Registry speaking the Confluent REST API.
// It does not check compatibility; `buf breaking` does that for the contracts.
type Registry struct {
	srv  *http.Server
	ln   net.Listener
	reg  *srfake.Registry
	err  chan error
	file string // where schemas persist; empty keeps them in memory only
	mu   sync.Mutex
}

// StartRegistry serves a registry on 127.0.0.1:port (0 picks a free port).
// With a file, every registered schema is saved there and loaded again at
// the next start, with the same ids: records written before a restart of a
// persistent broker must still decode.
func StartRegistry(port int, file ...string) (*Registry, error) {
	r := &Registry{reg: srfake.NewRegistry(), err: make(chan error, 1)}
	if len(file) > 0 && file[0] != "" {
		r.file = file[0]
		if err := r.load(); err != nil {
			return nil, err
		}
	}
	ln, err := loopbackListen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, fmt.Errorf("start schema registry: %w", err)
	}
	r.ln = ln
	r.srv = &http.Server{Handler: r.saving(r.reg.Handler()), ReadHeaderTimeout: 10 * time.Second}
	go func() { r.err <- r.srv.Serve(ln) }()
	return r, nil
}

// URL returns the registry's base URL.
func (r *Registry) URL() string { return "http://" + r.ln.Addr().String() }

// Fake exposes the underlying registry for inspection in tests.
func (r *Registry) Fake() *srfake.Registry { return r.reg }

// Close stops serving and waits for the server to finish.
func (r *Registry) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("stop schema registry: %w", err)
	}
	if err := <-r.err; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("schema registry: %w", err)
	}
	return nil
}

func loopbackListen(network, address string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", address, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		address = net.JoinHostPort("127.0.0.1", port)
	}
	ln, err := net.Listen(network, address)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", address, err)
	}
	return ln, nil
}

// saving saves the registry after every successful registration.
func (r *Registry) saving(next http.Handler) http.Handler {
	if r.file == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, req)
		if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/versions") && rec.status == http.StatusOK {
			if err := r.save(); err != nil {
				slog.Default().Error("schema registry: save", "file", r.file, "error", err)
			}
		}
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// get calls the registry's own REST API in process.
func (r *Registry) get(path string, v any) error {
	rec := httptest.NewRecorder()
	r.reg.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, rec.Code, rec.Body.String())
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// save writes every subject's every version to the file, atomically.
func (r *Registry) save() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var subjects []string
	if err := r.get("/subjects", &subjects); err != nil {
		return err
	}
	var all []sr.SubjectSchema
	for _, subject := range subjects {
		var versions []int
		if err := r.get("/subjects/"+url.PathEscape(subject)+"/versions", &versions); err != nil {
			return err
		}
		for _, v := range versions {
			var ss sr.SubjectSchema
			if err := r.get(fmt.Sprintf("/subjects/%s/versions/%d", url.PathEscape(subject), v), &ss); err != nil {
				return err
			}
			all = append(all, ss)
		}
	}
	b, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return fmt.Errorf("encode schemas: %w", err)
	}
	tmp := r.file + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("save schemas: %w", err)
	}
	if err := os.Rename(tmp, r.file); err != nil {
		return fmt.Errorf("save schemas: %w", err)
	}
	return nil
}

// load seeds the registry from the file, if there is one: in id order, so
// that referenced schemas come first, keeping every id and version.
func (r *Registry) load() (err error) {
	b, err := os.ReadFile(r.file)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load schemas: %w", err)
	}
	var all []sr.SubjectSchema
	if err := json.Unmarshal(b, &all); err != nil {
		return fmt.Errorf("load schemas from %s: %w", r.file, err)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	defer func() {
		if p := recover(); p != nil { // srfake panics on inconsistent seeds
			err = fmt.Errorf("load schemas from %s: %v", r.file, p)
		}
	}()
	seeded := map[int]bool{}
	for _, ss := range all {
		if !seeded[ss.ID] {
			r.reg.SeedSchema(ss.Subject, ss.Version, ss.ID, ss.Schema)
			seeded[ss.ID] = true
			continue
		}
		// The same schema under another subject keeps its id.
		id, version, err := r.reg.RegisterSchema(ss.Subject, ss.Schema)
		if err != nil || id != ss.ID || version != ss.Version {
			return fmt.Errorf("load schemas from %s: %s v%d came back as id %d v%d: %v", r.file, ss.Subject, ss.Version, id, version, err)
		}
	}
	return nil
}
