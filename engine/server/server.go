// Package server serves the Docker Engine API over HTTP, so that the bolsillo
// CLI, the real docker CLI and docker-py all drive the same backend.
//
// Every route is served under /v{X.Y}/ for API versions 1.24 to 1.50 and
// without a version prefix. Errors are {"message": ...} with Docker's
// status codes.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/user"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
)

// Server is the API's HTTP handler.
type Server struct {
	backend Backend
	header  string // the Server header: "bolsillod/VERSION (linux)"
	routes  []route
	log     *slog.Logger
	monitor monitor // GET /bolsillo/monitor and the record of every request
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, vars map[string]string) error

type route struct {
	method  string
	pattern *regexp.Regexp
	handler handlerFunc
}

// New returns a server for backend.
func New(b Backend, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{backend: b, log: log, header: "bolsillod/" + b.Version().Version + " (linux)"}
	s.routes = s.routeTable()
	return s
}

// routeTable reads like the API reference. {name} matches anything,
// slashes included (image names have them), as moby's {name:.*}.
func (s *Server) routeTable() []route {
	return []route{
		s.route("GET", "/_ping", s.ping),
		s.route("HEAD", "/_ping", s.ping),
		s.route("GET", "/version", s.getVersion),
		s.route("GET", "/info", s.getInfo),
		s.route("GET", "/system/df", s.getDiskUsage),

		s.route("POST", "/containers/create", s.postContainersCreate),
		s.route("GET", "/containers/json", s.getContainersJSON),
		s.route("GET", "/containers/{name}/json", s.getContainerJSON),
		s.route("GET", "/containers/{name}/logs", s.getContainerLogs),
		s.route("POST", "/containers/{name}/start", s.postContainerStart),
		s.route("POST", "/containers/{name}/stop", s.postContainerStop),
		s.route("POST", "/containers/{name}/restart", s.postContainerRestart),
		s.route("POST", "/containers/{name}/kill", s.postContainerKill),
		s.route("POST", "/containers/{name}/wait", s.postContainerWait),
		s.route("POST", "/containers/{name}/attach", s.postContainerAttach),
		s.route("POST", "/containers/{name}/resize", s.postContainerResize),
		s.route("POST", "/containers/{name}/exec", s.postContainerExec),
		s.route("POST", "/exec/{name}/start", s.postExecStart),
		s.route("GET", "/exec/{name}/json", s.getExecJSON),
		s.route("POST", "/exec/{name}/resize", s.postExecResize),
		s.route("HEAD", "/containers/{name}/archive", s.headContainerArchive),
		s.route("GET", "/containers/{name}/archive", s.getContainerArchive),
		s.route("PUT", "/containers/{name}/archive", s.putContainerArchive),
		s.route("GET", "/containers/{name}/changes", s.getContainerChanges),
		s.route("POST", "/commit", s.postCommit),
		s.route("DELETE", "/containers/{name}", s.deleteContainer),
		s.route("POST", "/containers/{name}/rename", s.postContainerRename),
		s.route("GET", "/containers/{name}/stats", s.getContainerStats),
		s.route("POST", "/containers/{name}/update", s.postContainerUpdate),
		s.route("GET", "/containers/{name}/top", s.getContainerTop),
		s.route("POST", "/containers/{name}/pause", s.postContainerPause),
		s.route("POST", "/containers/{name}/unpause", s.postContainerUnpause),
		s.route("GET", "/events", s.getEvents),
		s.route("POST", "/containers/prune", s.postContainersPrune),

		s.route("POST", "/images/create", s.postImagesCreate),
		s.route("GET", "/images/json", s.getImagesJSON),
		s.route("GET", "/images/{name}/json", s.getImageJSON),
		s.route("GET", "/images/{name}/history", s.getImageHistory),
		s.route("POST", "/images/{name}/push", s.postImagePush),
		s.route("POST", "/images/{name}/tag", s.postImageTag),
		s.route("POST", "/images/prune", s.postImagesPrune),
		s.route("GET", "/images/get", s.getImagesGet),
		s.route("GET", "/images/{name}/get", s.getImagesGet),
		s.route("POST", "/images/load", s.postImagesLoad),
		s.route("DELETE", "/images/{name}", s.deleteImage),
		s.route("POST", "/auth", s.postAuth),
		s.route("POST", "/build", s.postBuild),
		s.route("POST", "/build/prune", s.postBuildPrune),

		s.route("POST", "/volumes/create", s.postVolumesCreate),
		s.route("GET", "/volumes", s.getVolumes),
		s.route("GET", "/volumes/{name}", s.getVolume),
		s.route("DELETE", "/volumes/{name}", s.deleteVolume),
		s.route("POST", "/volumes/prune", s.postVolumesPrune),
		s.route("GET", "/networks", s.getNetworks),
		s.route("GET", "/networks/{name}", s.getNetwork),
		s.route("POST", "/networks/prune", s.postNetworksPrune),
	}
}

func (s *Server) route(method, path string, h handlerFunc) route {
	pattern := regexp.QuoteMeta(path)
	pattern = strings.ReplaceAll(pattern, `\{name\}`, `(?P<name>.+)`)
	return route{method: method, pattern: regexp.MustCompile("^" + pattern + "$"), handler: h}
}

var versionPrefix = regexp.MustCompile(`^/v([0-9]+\.[0-9]+)(/.*)$`)

// ServeHTTP strips and checks the version prefix, then dispatches.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.monitor.serveSubscription(w, r) {
		return
	}
	if s.monitor.watching() {
		var done func()
		w, done = s.monitor.observe(w, r)
		defer done()
	}
	h := w.Header()
	h.Set("Api-Version", backend.APIVersion)
	h.Set("Ostype", "linux")
	h.Set("Server", s.header)
	h.Set("Docker-Experimental", "false")

	path := r.URL.Path
	if m := versionPrefix.FindStringSubmatch(path); m != nil {
		if err := checkVersion(m[1]); err != nil {
			writeError(w, err)
			return
		}
		path = m[2]
		r = r.WithContext(context.WithValue(r.Context(), versionKey{}, m[1]))
	}
	for _, rt := range s.routes {
		m := rt.pattern.FindStringSubmatch(path)
		if m == nil || rt.method != r.Method {
			continue
		}
		vars := map[string]string{}
		for i, n := range rt.pattern.SubexpNames() {
			if n != "" {
				vars[n] = m[i]
			}
		}
		if err := rt.handler(w, r, vars); err != nil {
			s.log.Debug("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			writeError(w, err)
		}
		return
	}
	writeError(w, errdefs.NotFound("page not found"))
}

// checkVersion rejects versions outside [MinAPIVersion, APIVersion].
func checkVersion(v string) error {
	switch {
	case compareVersions(v, backend.APIVersion) > 0:
		return errdefs.InvalidParameter("client version %s is too new. Maximum supported API version is %s", v, backend.APIVersion)
	case compareVersions(v, backend.MinAPIVersion) < 0:
		return errdefs.InvalidParameter("client version %s is too old. Minimum supported API version is %s, please upgrade your client to a newer version", v, backend.MinAPIVersion)
	}
	return nil
}

// compareVersions compares "1.50" and "1.9" numerically, part by part.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// statusCode maps an engine error to Docker's HTTP status.
func statusCode(err error) int {
	switch errdefs.KindOf(err) {
	case errdefs.KindNotFound:
		return http.StatusNotFound
	case errdefs.KindInvalidParameter:
		return http.StatusBadRequest
	case errdefs.KindConflict:
		return http.StatusConflict
	case errdefs.KindNotModified:
		return http.StatusNotModified
	case errdefs.KindForbidden:
		return http.StatusForbidden
	case errdefs.KindUnauthorized:
		return http.StatusUnauthorized
	case errdefs.KindNotImplemented:
		return http.StatusNotImplemented
	}
	return http.StatusInternalServerError
}

func writeError(w http.ResponseWriter, err error) {
	code := statusCode(err)
	if code == http.StatusNotModified {
		w.WriteHeader(code)
		return
	}
	writeJSON(w, code, map[string]string{"message": err.Error()})
}

// writeJSON writes v with exactly "application/json": the docker CLI parses
// an error body only with that content type.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // as moby: "<none>" stays "<none>"
	_ = enc.Encode(v)
}

// decodeJSON decodes a request body; an empty body leaves v as it is.
func decodeJSON(r *http.Request, v any) error {
	if r.Body == nil {
		return nil
	}
	err := json.NewDecoder(r.Body).Decode(v)
	if err != nil && !errors.Is(err, io.EOF) {
		return errdefs.InvalidParameter("invalid JSON: %s", err.Error())
	}
	return nil
}

// boolValue is Docker's boolean query parsing: "", "0", "no", "false" and
// "none" are false; anything else is true.
func boolValue(r *http.Request, key string) bool {
	switch strings.ToLower(strings.TrimSpace(r.Form.Get(key))) {
	case "", "0", "no", "false", "none":
		return false
	}
	return true
}

// intValue parses an optional integer query parameter.
func intValue(r *http.Request, key string) (*int, error) {
	v := r.Form.Get(key)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, errdefs.InvalidParameter("invalid value for %s: %q", key, v)
	}
	return &n, nil
}

// parseFilters accepts both encodings of the filters parameter: the docker
// CLI's {"k":{"v":true}} and docker-py's {"k":["v"]}.
func parseFilters(raw string) (map[string][]string, error) {
	out := map[string][]string{}
	if raw == "" {
		return out, nil
	}
	var generic map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &generic); err != nil {
		return nil, errdefs.InvalidParameter("invalid filter: %s", err.Error())
	}
	for k, v := range generic {
		var list []string
		if json.Unmarshal(v, &list) == nil {
			out[k] = list
			continue
		}
		var set map[string]bool
		if err := json.Unmarshal(v, &set); err != nil {
			return nil, errdefs.InvalidParameter("invalid filter '%s'", k)
		}
		for val, on := range set {
			if on {
				out[k] = append(out[k], val)
			}
		}
	}
	return out, nil
}

// SocketGroup owns the daemon's unix socket when that group exists.
const SocketGroup = "bolsillo"

// Listen opens the daemon's socket: "unix:///run/bolsillo.sock" with mode
// 0660, or "tcp://HOST:PORT" when asked for explicitly.
func Listen(host string) (net.Listener, error) {
	proto, addr, ok := strings.Cut(host, "://")
	if !ok {
		return nil, fmt.Errorf("invalid host %q: want unix:///path or tcp://host:port", host)
	}
	switch proto {
	case "unix":
		if err := removeStaleSocket(addr); err != nil {
			return nil, err
		}
		// The socket is born 0600, never world-writable, then opened to
		// the group. The umask is the process's: this runs at start-up,
		// before anything else creates files.
		old := syscall.Umask(0o177)
		l, err := net.Listen("unix", addr)
		syscall.Umask(old)
		if err != nil {
			return nil, err
		}
		if err := os.Chmod(addr, 0o660); err != nil {
			l.Close()
			return nil, err
		}
		// Members of the bolsillo group (made by make install) may use the
		// daemon without sudo, as the docker group does for dockerd.
		if g, err := user.LookupGroup(SocketGroup); err == nil {
			if gid, err := strconv.Atoi(g.Gid); err == nil {
				_ = os.Chown(addr, 0, gid)
			}
		}
		return l, nil
	case "tcp":
		return net.Listen("tcp", addr)
	}
	return nil, fmt.Errorf("invalid host %q: unsupported protocol %q", host, proto)
}

// removeStaleSocket removes a socket file no daemon answers on, and refuses
// to take over one that is alive.
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("%s exists and is not a socket", path)
	}
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return fmt.Errorf("another daemon is already listening on %s", path)
	}
	return os.Remove(path)
}

type versionKey struct{}

// apiVersion is the version the request asked for; unversioned requests
// get the current one.
func apiVersion(r *http.Request) string {
	if v, ok := r.Context().Value(versionKey{}).(string); ok {
		return v
	}
	return backend.APIVersion
}
