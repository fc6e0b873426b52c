package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
)

// resourcesBackend is what the resource routes need: stats, update, top,
// pause and the event stream.
type resourcesBackend interface {
	// ContainerStats calls out with *backend.Stats objects, or one
	// *backend.StoppedStats for a container that is not running.
	ContainerStats(ctx context.Context, ref string, opts backend.StatsOptions, out func(any) error) error
	ContainerUpdate(ref string, upd apicontainer.UpdateConfig) (apicontainer.UpdateResponse, error)
	ContainerTop(ref, psArgs string) (*backend.TopResult, error)
	ContainerPause(ref string) error
	ContainerUnpause(ref string) error
	Events(ctx context.Context, f backend.EventFilter, fn func(backend.Event) error) error
}

// jsonLines writes a stream of JSON objects, one a line, each flushed. The
// 200 header goes out with the first object (or with start), so an error
// before it is still a plain HTTP error.
type jsonLines struct {
	w       http.ResponseWriter
	enc     *json.Encoder
	started bool
}

func newJSONLines(w http.ResponseWriter) *jsonLines {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &jsonLines{w: w, enc: enc}
}

// start sends the header and flushes it.
func (j *jsonLines) start() {
	if j.started {
		return
	}
	j.w.Header().Set("Content-Type", "application/json")
	j.w.WriteHeader(http.StatusOK)
	j.started = true
	j.flush()
}

func (j *jsonLines) send(v any) error {
	j.start()
	if err := j.enc.Encode(v); err != nil {
		return err
	}
	j.flush()
	return nil
}

func (j *jsonLines) flush() {
	if f, ok := j.w.(http.Flusher); ok {
		f.Flush()
	}
}

// getContainerStats is GET /containers/{name}/stats?stream=1|0&one-shot=.
// stream defaults to true, as in Docker.
func (s *Server) getContainerStats(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	opts := backend.StatsOptions{Stream: true, OneShot: boolValue(r, "one-shot")}
	if r.Form.Has("stream") {
		opts.Stream = boolValue(r, "stream")
	}
	if opts.OneShot && opts.Stream {
		return errdefs.InvalidParameter("cannot have stream=true and one-shot=true")
	}
	out := newJSONLines(w)
	err := s.backend.ContainerStats(r.Context(), vars["name"], opts, out.send)
	if err != nil && out.started {
		s.log.Debug("stats stream ended", "err", err)
		return nil
	}
	return err
}

func (s *Server) postContainerUpdate(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	var upd apicontainer.UpdateConfig
	if err := decodeJSON(r, &upd); err != nil {
		return err
	}
	resp, err := s.backend.ContainerUpdate(vars["name"], upd)
	if err != nil {
		return err
	}
	if resp.Warnings == nil {
		resp.Warnings = []string{}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) getContainerTop(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	top, err := s.backend.ContainerTop(vars["name"], r.Form.Get("ps_args"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, top)
	return nil
}

func (s *Server) postContainerPause(w http.ResponseWriter, _ *http.Request, vars map[string]string) error {
	if err := s.backend.ContainerPause(vars["name"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) postContainerUnpause(w http.ResponseWriter, _ *http.Request, vars map[string]string) error {
	if err := s.backend.ContainerUnpause(vars["name"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getEvents is GET /events?since=&until=&filters=. The header is flushed at
// once: the docker CLI waits for it before listing containers.
func (s *Server) getEvents(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	filters, err := parseFilters(r.Form.Get("filters"))
	if err != nil {
		return err
	}
	f := backend.EventFilter{Filters: filters}
	for key, t := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := r.Form.Get(key); v != "" {
			if *t, err = parseUnixTime(v); err != nil {
				return errdefs.InvalidParameter("invalid value for %s: %q", key, v)
			}
		}
	}
	out := newJSONLines(w)
	out.start()
	err = s.backend.Events(r.Context(), f, func(ev backend.Event) error { return out.send(ev) })
	if err != nil {
		s.log.Debug("event stream ended", "err", err)
	}
	return nil
}
