package server

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
)

// jsonStream writes Docker's JSON message stream, one object per line,
// flushing each. The 200 header goes out with the first message: an error
// before any message is still a plain HTTP error (docker-py and the docker
// CLI both rely on that), one after it travels in the stream.
type jsonStream struct {
	w       http.ResponseWriter
	enc     *json.Encoder
	started bool
}

func newJSONStream(w http.ResponseWriter) *jsonStream {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &jsonStream{w: w, enc: enc}
}

func (s *jsonStream) send(m backend.JSONMessage) error {
	if !s.started {
		s.w.Header().Set("Content-Type", "application/json")
		s.w.WriteHeader(http.StatusOK)
		s.started = true
	}
	if err := s.enc.Encode(m); err != nil {
		return err
	}
	if f, ok := s.w.(http.Flusher); ok {
		f.Flush()
	}
	return nil
}

// finish ends the stream after the operation returned err: nil, or err
// itself when nothing was sent yet, or an error message in the stream.
func (s *jsonStream) finish(err error) error {
	if err == nil {
		if !s.started {
			return s.send(backend.JSONMessage{})
		}
		return nil
	}
	if !s.started {
		return err
	}
	msg := err.Error()
	detail := &backend.ErrorDetail{Message: msg}
	// A failed RUN carries its exit code: the docker CLI exits with it.
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		detail.Code = coded.ExitCode()
	}
	return s.send(backend.JSONMessage{ErrorDetail: detail, Error: msg})
}

// registryAuth decodes the X-Registry-Auth header: base64url JSON, padded
// or not (the docker CLI and docker-py differ).
func registryAuth(r *http.Request) (backend.AuthConfig, error) {
	var auth backend.AuthConfig
	h := r.Header.Get("X-Registry-Auth")
	if h == "" {
		return auth, nil
	}
	raw, err := base64.URLEncoding.DecodeString(h)
	if err != nil {
		raw, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(h, "="))
	}
	if err != nil {
		return auth, errdefs.InvalidParameter("invalid X-Registry-Auth header: %s", err.Error())
	}
	if len(strings.TrimSpace(string(raw))) == 0 || strings.TrimSpace(string(raw)) == "{}" {
		return auth, nil
	}
	if err := json.Unmarshal(raw, &auth); err != nil {
		return auth, errdefs.InvalidParameter("invalid X-Registry-Auth header: %s", err.Error())
	}
	return auth, nil
}
