package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
)

func (s *Server) postContainersCreate(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	var req backend.CreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	resp, err := s.backend.ContainerCreate(r.Form.Get("name"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

func (s *Server) getContainersJSON(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	filters, err := parseFilters(r.Form.Get("filters"))
	if err != nil {
		return err
	}
	limit, err := intValue(r, "limit")
	if err != nil {
		return err
	}
	opts := backend.ListOptions{All: boolValue(r, "all"), Size: boolValue(r, "size"), Filters: filters}
	if limit != nil {
		opts.Limit = *limit
	}
	list, err := s.backend.ContainerList(opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) getContainerJSON(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	c, err := s.backend.ContainerInspect(vars["name"], boolValue(r, "size"))
	if err != nil {
		return err
	}
	if compareVersions(apiVersion(r), "1.52") >= 0 {
		writeJSON(w, http.StatusOK, c)
		return nil
	}
	v, err := withLegacyNetworkSettings(c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// withLegacyNetworkSettings adds to an inspect answer the top-level
// NetworkSettings fields that API versions before 1.52 still have and that
// courses use (`docker inspect -f '{{.NetworkSettings.IPAddress}}' web`):
// the address, prefix, gateway and MAC of the container on the default
// bridge, empty when it is not on it.
func withLegacyNetworkSettings(c any) (map[string]any, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	ns, _ := m["NetworkSettings"].(map[string]any)
	if ns == nil {
		return m, nil
	}
	legacy := map[string]any{"IPAddress": "", "IPPrefixLen": 0, "Gateway": "", "MacAddress": ""}
	if nets, ok := ns["Networks"].(map[string]any); ok {
		if bridge, ok := nets["bridge"].(map[string]any); ok {
			for k := range legacy {
				if v, ok := bridge[k]; ok && v != nil {
					legacy[k] = v
				}
			}
		}
	}
	for k, v := range legacy {
		ns[k] = v
	}
	return m, nil
}

func (s *Server) postContainerStart(w http.ResponseWriter, _ *http.Request, vars map[string]string) error {
	if err := s.backend.ContainerStart(vars["name"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) postContainerStop(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	t, err := intValue(r, "t")
	if err != nil {
		return err
	}
	if err := s.backend.ContainerStop(r.Context(), vars["name"], t, r.Form.Get("signal")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) postContainerRestart(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	t, err := intValue(r, "t")
	if err != nil {
		return err
	}
	if err := s.backend.ContainerRestart(r.Context(), vars["name"], t, r.Form.Get("signal")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) postContainerKill(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	if err := s.backend.ContainerKill(vars["name"], r.Form.Get("signal")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteContainer(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	if err := s.containerRemover(r)(r.Context(), vars["name"], boolValue(r, "force")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) postContainerResize(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	h, wd, err := terminalSize(r)
	if err != nil {
		return err
	}
	if err := s.backend.ContainerResize(vars["name"], h, wd); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// terminalSize reads the ?h=&w= of a resize request.
func terminalSize(r *http.Request) (height, width uint16, err error) {
	if err := r.ParseForm(); err != nil {
		return 0, 0, errdefs.InvalidParameter("%s", err.Error())
	}
	h, err := strconv.ParseUint(r.Form.Get("h"), 10, 16)
	if err != nil {
		return 0, 0, errdefs.InvalidParameter("invalid height: %q", r.Form.Get("h"))
	}
	w, err := strconv.ParseUint(r.Form.Get("w"), 10, 16)
	if err != nil {
		return 0, 0, errdefs.InvalidParameter("invalid width: %q", r.Form.Get("w"))
	}
	return uint16(h), uint16(w), nil
}

// waitResponse is the body of POST /containers/{id}/wait.
type waitResponse struct {
	StatusCode int
	Error      *waitError
}

type waitError struct {
	Message string
}

// postContainerWait answers with headers at once: the docker CLI blocks
// until they arrive and only then starts the container. The body follows
// when the condition is met.
func (s *Server) postContainerWait(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	cond := r.Form.Get("condition")
	switch cond {
	case "", "not-running", "next-exit", "removed":
	default:
		return errdefs.InvalidParameter("invalid condition: %q", cond)
	}
	ch, err := s.backend.ContainerWait(r.Context(), vars["name"], cond)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	res, ok := <-ch
	if !ok {
		return nil // the client went away
	}
	resp := waitResponse{StatusCode: res.StatusCode}
	if res.Error != "" {
		resp.Error = &waitError{Message: res.Error}
	}
	return json.NewEncoder(w).Encode(resp)
}

// postContainerAttach hijacks the connection: the client gets 101 as soon
// as the engine has registered the attach (the docker CLI attaches, waits
// for the answer and only then starts the container, so a run that ends in
// a few milliseconds is still seen), then the process output, framed unless
// the container has a TTY; what the client sends is the process's stdin.
func (s *Server) postContainerAttach(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	name := vars["name"]
	tty, err := s.backend.ContainerTTY(name)
	if err != nil {
		return err
	}
	keys, err := parseDetachKeys(r.Form.Get("detachKeys"))
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	late := newLateConn()
	stdout, stderr := streamWriters(late, tty, nil)
	opts := backend.AttachOptions{
		DetachKeys: keys,
		Attached: func() {
			conn, brw, err := hijack(w, r, tty)
			if err != nil {
				cancel()
			}
			late.set(conn, brw, err)
		},
	}
	if boolValue(r, "stdin") {
		opts.Stdin = late
	}
	if boolValue(r, "stdout") {
		opts.Stdout = stdout
	}
	if boolValue(r, "stderr") {
		opts.Stderr = stderr
	}
	err = s.backend.ContainerAttach(ctx, name, opts)
	if !late.isSet() {
		// The engine refused before it registered anything: the client
		// still speaks HTTP and gets Docker's error body.
		return err
	}
	if late.conn == nil {
		return nil
	}
	defer late.conn.Close()
	if err != nil {
		fmt.Fprintf(late.conn, "%s\r\n", err)
	}
	closeWrite(late.conn)
	return nil
}

// parseDetachKeys parses Docker's "ctrl-p,ctrl-q" notation.
func parseDetachKeys(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	var keys []byte
	for _, k := range strings.Split(s, ",") {
		switch {
		case len(k) == 1:
			keys = append(keys, k[0])
		case strings.HasPrefix(k, "ctrl-") && len(k) == 6:
			c := k[5]
			switch {
			case c >= 'a' && c <= 'z':
				keys = append(keys, c-'a'+1)
			case c == '@':
				keys = append(keys, 0)
			case c >= '[' && c <= '_':
				keys = append(keys, c-'['+27)
			default:
				return nil, errdefs.InvalidParameter("Unknown character: '%s'", k)
			}
		default:
			return nil, errdefs.InvalidParameter("Unknown character: '%s'", k)
		}
	}
	return keys, nil
}

func (s *Server) getContainerLogs(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	opts := backend.LogOptions{
		Stdout: boolValue(r, "stdout"),
		Stderr: boolValue(r, "stderr"),
		Follow: boolValue(r, "follow"),
		Tail:   -1,
	}
	if !opts.Stdout && !opts.Stderr {
		return errdefs.InvalidParameter("Bad parameters: you must choose at least one stream")
	}
	if t := r.Form.Get("tail"); t != "" && t != "all" {
		n, err := strconv.Atoi(t)
		if err != nil {
			return errdefs.InvalidParameter("invalid value for tail: %q", t)
		}
		if n >= 0 {
			opts.Tail = n
		}
	}
	var err error
	if opts.Since, err = parseUnixTime(r.Form.Get("since")); err != nil {
		return err
	}
	if opts.Until, err = parseUnixTime(r.Form.Get("until")); err != nil {
		return err
	}
	timestamps := boolValue(r, "timestamps")
	tty, err := s.backend.ContainerTTY(vars["name"])
	if err != nil {
		return err
	}

	contentType := "application/vnd.docker.raw-stream"
	if !tty && compareVersions(apiVersion(r), "1.42") >= 0 {
		contentType = "application/vnd.docker.multiplexed-stream"
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	flush := func() {
		if flusher != nil {
			flusher.Flush()
		}
	}
	flush()
	bw := bufio.NewWriter(w)
	stdout, stderr := streamWriters(bw, tty, nil)
	err = s.backend.ContainerLogs(r.Context(), vars["name"], opts, func(m backend.LogMessage) error {
		out := stdout
		if m.Stream == "stderr" {
			out = stderr
		}
		line := m.Line
		if timestamps {
			line = append([]byte(m.Time.UTC().Format("2006-01-02T15:04:05.000000000Z07:00")+" "), line...)
		}
		if _, err := out.Write(line); err != nil {
			return err
		}
		if opts.Follow {
			if err := bw.Flush(); err != nil {
				return err
			}
			flush()
		}
		return nil
	})
	_ = bw.Flush()
	if err != nil {
		s.log.Debug("logs ended with an error", "err", err)
	}
	return nil
}

// parseUnixTime parses the since/until format the CLI sends: seconds since
// the epoch, optionally with a fraction ("1700000000.123456789").
func parseUnixTime(v string) (time.Time, error) {
	if v == "" || v == "0" {
		return time.Time{}, nil
	}
	secStr, fracStr, _ := strings.Cut(v, ".")
	sec, err := strconv.ParseInt(secStr, 10, 64)
	if err != nil {
		return time.Time{}, errdefs.InvalidParameter("invalid timestamp: %q", v)
	}
	var nsec int64
	if fracStr != "" {
		fracStr = (fracStr + "000000000")[:9]
		if nsec, err = strconv.ParseInt(fracStr, 10, 64); err != nil {
			return time.Time{}, errdefs.InvalidParameter("invalid timestamp: %q", v)
		}
	}
	return time.Unix(sec, nsec), nil
}

func (s *Server) postContainerRename(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	if err := s.backend.ContainerRename(vars["name"], r.Form.Get("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) postContainersPrune(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	filters, err := parseFilters(r.Form.Get("filters"))
	if err != nil {
		return err
	}
	report, err := s.backend.ContainersPrune(r.Context(), filters)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, report)
	return nil
}
