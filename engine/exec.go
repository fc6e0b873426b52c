package engine

import (
	"context"

	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine/backend"
	"bolsillo/engine/container"
)

// ExecCreate records a command to run in a running container (docker exec)
// and returns the exec's ID.
func (e *Engine) ExecCreate(ref string, opts backend.ExecCreateOptions) (string, error) {
	id, err := e.containers.ExecCreate(ref, opts)
	if err != nil {
		return "", err
	}
	e.publishContainer(container.ExecAction(opts.Config.Cmd), ref, map[string]string{"execID": id})
	return id, nil
}

// ExecStart starts an exec's process and, unless detached, connects the
// client's streams to it until it exits.
func (e *Engine) ExecStart(ctx context.Context, id string, opts backend.ExecStartOptions) error {
	return e.containers.ExecStart(ctx, id, opts)
}

// ExecInspect describes an exec: its process, whether it runs, its exit code.
func (e *Engine) ExecInspect(id string) (*apicontainer.ExecInspectResponse, error) {
	return e.containers.ExecInspect(id)
}

// ExecResize resizes an exec process's terminal.
func (e *Engine) ExecResize(id string, height, width uint16) error {
	return e.containers.ExecResize(id, height, width)
}
