package server

import (
	"context"
	"fmt"
	"net/http"

	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine/backend"
)

// execBackend runs docker exec: a second process in a running container.
type execBackend interface {
	ExecCreate(ref string, opts backend.ExecCreateOptions) (string, error)
	// ExecStart returns, unless detached, once the process has exited and
	// its exit code is recorded, or once the client detached.
	ExecStart(ctx context.Context, id string, opts backend.ExecStartOptions) error
	ExecInspect(id string) (*apicontainer.ExecInspectResponse, error)
	ExecResize(id string, height, width uint16) error
}

// postContainerExec creates an exec: 201 {"Id"}.
func (s *Server) postContainerExec(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	var req apicontainer.ExecCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	keys, err := parseDetachKeys(req.DetachKeys)
	if err != nil {
		return err
	}
	id, err := s.backend.ExecCreate(vars["name"], backend.ExecCreateOptions{Config: req, DetachKeys: keys})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, apicontainer.ExecCreateResponse{ID: id})
	return nil
}

// postExecStart starts an exec. Detached, it answers a plain 200. Otherwise
// it hijacks the connection like attach: the output is framed unless the
// start body (not the create one) asks for a TTY, and what the client sends
// is the process's stdin. The exit code is recorded before the connection
// closes, so the client's inspect right after sees it.
func (s *Server) postExecStart(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	var req apicontainer.ExecStartRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	id := vars["name"]
	// An unknown exec is a plain HTTP error, before any hijack.
	if _, err := s.backend.ExecInspect(id); err != nil {
		return err
	}
	if req.Detach {
		if err := s.backend.ExecStart(context.WithoutCancel(r.Context()), id, backend.ExecStartOptions{Detach: true, ConsoleSize: req.ConsoleSize}); err != nil {
			return err
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}

	conn, brw, err := hijack(w, r, req.Tty)
	if err != nil {
		return err
	}
	defer conn.Close()

	stdout, stderr := streamWriters(conn, req.Tty, nil)
	opts := backend.ExecStartOptions{
		ConsoleSize: req.ConsoleSize,
		Stdin:       brw.Reader,
		Stdout:      stdout,
		Stderr:      stderr,
	}
	if err := s.backend.ExecStart(context.Background(), id, opts); err != nil {
		// As moby: after the 101 an error can only travel as output.
		fmt.Fprintf(stdout, "%s\r\n", err)
	}
	closeWrite(conn)
	return nil
}

// getExecJSON inspects an exec; ExitCode is null while it runs.
func (s *Server) getExecJSON(w http.ResponseWriter, _ *http.Request, vars map[string]string) error {
	res, err := s.backend.ExecInspect(vars["name"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// postExecResize resizes an exec's terminal: ?h=&w=.
func (s *Server) postExecResize(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	h, wd, err := terminalSize(r)
	if err != nil {
		return err
	}
	if err := s.backend.ExecResize(vars["name"], h, wd); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
