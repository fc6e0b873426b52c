package server

import (
	"context"
	"io"

	apicontainer "github.com/moby/moby/api/types/container"
	apiimage "github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/system"

	"bolsillo/engine/backend"
)

// Backend is what the API server needs from the backend. It is declared here,
// where it is used, so tests can serve the API over a fake.
type Backend interface {
	systemBackend
	containerBackend
	resourcesBackend
	imageBackend
	buildBackend
	execBackend
	filesBackend
	volumeBackend
	networkBackend
}

type systemBackend interface {
	Version() system.VersionResponse
	Info() system.Info
	DiskUsage(types []string) (*backend.DiskUsage, error)
}

type containerBackend interface {
	ContainerCreate(name string, req backend.CreateRequest) (apicontainer.CreateResponse, error)
	ContainerStart(ref string) error
	ContainerStop(ctx context.Context, ref string, timeout *int, signal string) error
	ContainerRestart(ctx context.Context, ref string, timeout *int, signal string) error
	ContainerKill(ref, signal string) error
	ContainerRemove(ctx context.Context, ref string, force bool) error
	ContainerWait(ctx context.Context, ref, condition string) (<-chan backend.WaitResult, error)
	ContainerAttach(ctx context.Context, ref string, opts backend.AttachOptions) error
	ContainerResize(ref string, height, width uint16) error
	ContainerLogs(ctx context.Context, ref string, opts backend.LogOptions, fn func(backend.LogMessage) error) error
	ContainerTTY(ref string) (bool, error)
	ContainerInspect(ref string, size bool) (*apicontainer.InspectResponse, error)
	ContainerList(opts backend.ListOptions) ([]apicontainer.Summary, error)
	ContainerRename(ref, newName string) error
	ContainersPrune(ctx context.Context, filters map[string][]string) (*apicontainer.PruneReport, error)
}

type imageBackend interface {
	ImageInspect(ref string) (*backend.ImageInspect, error)
	ImageList(opts backend.ImageListOptions) ([]apiimage.Summary, error)
	ImageImport(ctx context.Context, r io.Reader, opts backend.ImportOptions) (string, error)
	ImagePull(ctx context.Context, opts backend.PullOptions, out func(backend.JSONMessage) error) error
	ImagePush(ctx context.Context, opts backend.PushOptions, out func(backend.JSONMessage) error) error
	ImageTag(src, repo, tag string) error
	ImageDelete(ctx context.Context, ref string, force, prune bool) ([]apiimage.DeleteResponse, error)
	ImageHistory(ref string) ([]apiimage.HistoryResponseItem, error)
	ImagesPrune(ctx context.Context, filters map[string][]string) (*apiimage.PruneReport, error)
	// ImageSave checks every name before calling open, which gives the
	// writer: an unknown name is still a plain HTTP error.
	ImageSave(ctx context.Context, names []string, open func() io.Writer) error
	ImageLoad(ctx context.Context, r io.Reader, quiet bool, out func(backend.JSONMessage) error) error
	AuthLogin(ctx context.Context, auth backend.AuthConfig) (status, identityToken string, err error)
}

type buildBackend interface {
	// Build runs a classic build, streaming Docker's messages ("Step 1/3 :
	// FROM busybox", " ---> 1a2b3c4d5e6f", "Successfully built ...").
	Build(ctx context.Context, opts backend.BuildOptions, out func(backend.JSONMessage) error) error
}
