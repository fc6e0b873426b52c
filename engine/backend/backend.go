// Package backend holds the types the engine and its API server share:
// request options and results that are not part of the Docker API's wire
// types, as moby's api/types/backend does. It imports nothing of bolsillo,
// so the server does not link the engine to know them.
package backend

import (
	"io"
	"time"

	apicontainer "github.com/moby/moby/api/types/container"
	apiimage "github.com/moby/moby/api/types/image"
)

// The Docker Engine API versions served: what docker CLI 28 speaks, down to
// the oldest version moby still accepts.
const (
	APIVersion    = "1.50"
	MinAPIVersion = "1.24"
)

// CreateRequest is the body of POST /containers/create.
type CreateRequest struct {
	apicontainer.Config
	HostConfig *apicontainer.HostConfig `json:"HostConfig,omitempty"`
}

// ListOptions are the query of GET /containers/json.
type ListOptions struct {
	All     bool
	Limit   int
	Filters map[string][]string
}

// ImageListOptions are the query of GET /images/json.
type ImageListOptions struct {
	All     bool
	Filters map[string][]string
}

// ImportOptions is the query of POST /images/create?fromSrc=-.
type ImportOptions struct {
	Repo    string // may carry the tag: "mi-imagen:1.0"
	Tag     string
	Message string
	Changes []string
}

// ImageInspect is GET /images/{name}/json at API 1.50: the current type
// plus the fields 1.50 clients still read (docker-py reads Parent).
type ImageInspect struct {
	apiimage.InspectResponse
	Parent        string
	DockerVersion string
}

// AttachOptions says which streams of a container's main process a client
// connects.
type AttachOptions struct {
	Stdin      io.Reader // nil: stdin not attached
	Stdout     io.Writer // nil: stdout not attached; with a TTY it carries everything
	Stderr     io.Writer // nil: stderr not attached
	DetachKeys []byte    // nil: ctrl-p ctrl-q
}

// LogOptions selects what a logs request returns.
type LogOptions struct {
	Stdout, Stderr bool
	Tail           int // last N entries; negative means all
	Since, Until   time.Time
	Follow         bool
}

// LogMessage is one logged line.
type LogMessage struct {
	Stream string // "stdout" or "stderr"
	Time   time.Time
	Line   []byte
}

// WaitCondition is the condition of POST /containers/{id}/wait.
type WaitCondition string

// The wait conditions.
const (
	WaitNotRunning WaitCondition = "not-running"
	WaitNextExit   WaitCondition = "next-exit"
	WaitRemoved    WaitCondition = "removed"
)

// WaitResult is what a wait returns.
type WaitResult struct {
	StatusCode int
	Error      string
}
