package backend

import (
	"io"

	apicontainer "github.com/moby/moby/api/types/container"
)

// ExecCreateOptions is POST /containers/{name}/exec: the request as
// received, with its detach keys already parsed.
type ExecCreateOptions struct {
	Config     apicontainer.ExecCreateRequest
	DetachKeys []byte // nil: ctrl-p ctrl-q
}

// ExecStartOptions is POST /exec/{id}/start: how a client connects to the
// exec process it starts.
type ExecStartOptions struct {
	// Detach starts the process and returns at once; its output is dropped.
	Detach bool
	// ConsoleSize is the initial [height, width] of the process's terminal;
	// nil keeps the one given at create.
	ConsoleSize *[2]uint
	// Stdin feeds the process when the exec was created with AttachStdin.
	Stdin io.Reader
	// Stdout and Stderr receive the output the exec was created to attach;
	// with a TTY, Stdout carries everything.
	Stdout, Stderr io.Writer
}
