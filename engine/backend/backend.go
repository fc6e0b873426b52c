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
	apivolume "github.com/moby/moby/api/types/volume"
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
	Size    bool // size=1: SizeRw and SizeRootFs of each container
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

	// Attached, if set, is called once the streams are registered: output
	// written from then on reaches them, and the container's next exit ends
	// the attach. The server answers the client there, because the docker
	// CLI starts the container as soon as it has the answer. Until then the
	// streams must not be used.
	Attached func()
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

// JSONMessage is one line of Docker's JSON message stream (pull, push,
// load, import): a status with an optional layer ID and progress, a line of
// output, or auxiliary data. Errors carry both errorDetail (what the docker
// CLI reads) and error (what docker-py reads).
type JSONMessage struct {
	Status         string          `json:"status,omitempty"`
	ID             string          `json:"id,omitempty"`
	ProgressDetail *ProgressDetail `json:"progressDetail,omitempty"`
	Progress       string          `json:"progress,omitempty"`
	Stream         string          `json:"stream,omitempty"`
	Aux            any             `json:"aux,omitempty"`
	ErrorDetail    *ErrorDetail    `json:"errorDetail,omitempty"`
	Error          string          `json:"error,omitempty"`
}

// ProgressDetail is how far one step went.
type ProgressDetail struct {
	Current int64 `json:"current"`
	Total   int64 `json:"total,omitempty"`
}

// ErrorDetail is an error in a JSON message stream.
type ErrorDetail struct {
	Code    int    `json:"code,omitempty"`
	Message string `json:"message"`
}

// PullOptions is POST /images/create?fromImage=...
type PullOptions struct {
	Image    string // fromImage, as sent: "busybox", "docker.io/library/busybox", "localhost:5000/web"
	Tag      string // tag or digest ("latest", "sha256:..."); "" means latest
	Platform string // "linux/amd64"; "" means the host's
	Auth     AuthConfig
}

// PushOptions is POST /images/{name}/push.
type PushOptions struct {
	Name string
	Tag  string
	Auth AuthConfig
}

// AuthConfig is the decoded X-Registry-Auth header (or the body of
// POST /auth).
type AuthConfig struct {
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	Auth          string `json:"auth,omitempty"`
	ServerAddress string `json:"serveraddress,omitempty"`
	IdentityToken string `json:"identitytoken,omitempty"`
	RegistryToken string `json:"registrytoken,omitempty"`
}

// BuildOptions is POST /build (the classic builder).
type BuildOptions struct {
	Context    io.Reader             // the build context: a tar, maybe gzip-compressed
	Dockerfile string                // path of the Dockerfile inside the context; "" is "Dockerfile"
	Tags       []string              // t=..., may repeat
	NoCache    bool                  // nocache=1
	Remove     bool                  // rm (default true): remove intermediate containers after a successful build
	ForceRm    bool                  // forcerm=1: remove them even after a failure
	Pull       bool                  // pull=1: pull the base images even if present
	Quiet      bool                  // q=1: only the image ID
	BuildArgs  map[string]*string    // buildargs={"K":"v"}; a nil value means "from the environment" (unset here)
	Labels     map[string]string     // labels={"k":"v"}
	Target     string                // target stage
	Network    string                // networkmode: the RUN steps' network ("", "default" or "bridge"; "none"; "host")
	Auth       map[string]AuthConfig // X-Registry-Config: credentials per registry, for FROM pulls
}

// DiskUsage is GET /system/df as API versions before 1.52 answer it, the
// ones docker CLI 28 and docker-py speak: what images, containers and
// volumes take on disk. Every key is always there, as in Docker; a type the
// request left out is null.
type DiskUsage struct {
	// LayersSize counts each unpacked layer once, however many images share it.
	LayersSize int64
	Images     []apiimage.Summary
	Containers []apicontainer.Summary
	Volumes    []apivolume.Volume
	// BuildCache is always empty: the classic builder's cache is made of
	// images, and those are counted as images.
	BuildCache []struct{}
}
