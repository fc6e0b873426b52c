package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
	apicontainer "github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/storage"

	"bolsillo/engine/backend"
	"bolsillo/engine/container"
	"bolsillo/engine/errdefs"
	"bolsillo/engine/image"
)

// ContainerCreate creates a container from the image named in req.Image.
func (e *Engine) ContainerCreate(name string, req backend.CreateRequest) (apicontainer.CreateResponse, error) {
	if req.Image == "" {
		return apicontainer.CreateResponse{}, errdefs.InvalidParameter("config cannot be empty in order to create a container")
	}
	img, err := e.image(req.Image)
	if err != nil {
		return apicontainer.CreateResponse{}, err
	}
	lowers, err := e.images.LayerDirs(img)
	if err != nil {
		return apicontainer.CreateResponse{}, fmt.Errorf("preparing layers of %s: %w", req.Image, err)
	}
	// The init layer goes on top of the image's: it holds the mount points
	// the runtime binds over (/etc/hostname, /etc/hosts, ...), so they are
	// never created in the container's writable layer, as in Docker.
	initDir, err := e.layers.InitDir()
	if err != nil {
		return apicontainer.CreateResponse{}, fmt.Errorf("preparing the init layer: %w", err)
	}
	lowers = append([]string{initDir}, lowers...)
	cfg := req.Config
	c, err := e.createWithMounts(container.CreateOptions{
		Name:       name,
		Config:     &cfg,
		HostConfig: req.HostConfig,
		Image: container.Image{
			ID:        img.ID.String(),
			Config:    img.Config.Config,
			LowerDirs: lowers,
		},
	})
	if err != nil {
		return apicontainer.CreateResponse{}, err
	}
	e.events.publish(containerEvent("create", c, nil))
	return apicontainer.CreateResponse{ID: c.ID, Warnings: []string{}}, nil
}

// image finds an image by reference or ID, with Docker's 404 wording.
func (e *Engine) image(ref string) (*image.Image, error) {
	img, err := e.images.Get(ref)
	if errors.Is(err, image.ErrNotFound) {
		name := ref
		if n, nerr := image.NormalizeRef(ref); nerr == nil {
			name = image.FamiliarRef(n)
		}
		return nil, errdefs.NotFound("No such image: %s", name)
	}
	if err != nil {
		return nil, errdefs.InvalidParameter("%s", err.Error())
	}
	return img, nil
}

// ContainerStart starts a container. The manager reports the start event
// (a restart policy's starts have one too).
func (e *Engine) ContainerStart(ref string) error {
	return e.containers.Start(ref)
}

// ContainerStop stops a container: kill events as the signals go, die,
// then stop, as in Docker.
func (e *Engine) ContainerStop(ctx context.Context, ref string, timeout *int, signal string) error {
	return e.withEvent("stop", ref, func() error { return e.containers.Stop(ctx, ref, timeout, signal) })
}

// ContainerRestart restarts a container: it stops it if it runs and starts
// it again, then publishes restart (Docker's kill, die, stop, start,
// restart). RestartCount is left alone: Docker counts only the restarts
// its restart policy makes.
func (e *Engine) ContainerRestart(ctx context.Context, ref string, timeout *int, signal string) error {
	if err := e.ContainerStop(ctx, ref, timeout, signal); err != nil && !errdefs.IsNotModified(err) {
		return err
	}
	return e.withEvent("restart", ref, func() error { return e.containers.Start(ref) })
}

// ContainerKill signals a container's main process; the manager reports
// the kill event.
func (e *Engine) ContainerKill(ref, signal string) error { return e.containers.Kill(ref, signal) }

// ContainerRemove removes a container.
func (e *Engine) ContainerRemove(ctx context.Context, ref string, force bool) error {
	return e.containers.Remove(ctx, ref, force) // the remove hook publishes destroy (volumes.go)
}

// ContainerWait waits for a condition on a container.
func (e *Engine) ContainerWait(ctx context.Context, ref, condition string) (<-chan backend.WaitResult, error) {
	return e.containers.Wait(ctx, ref, backend.WaitCondition(condition))
}

// ContainerAttach connects streams to a container's main process. The
// attach event goes out once the streams are connected; the manager
// reports a detach.
func (e *Engine) ContainerAttach(ctx context.Context, ref string, opts backend.AttachOptions) error {
	attached := opts.Attached
	opts.Attached = func() {
		e.publishContainer("attach", ref, nil)
		if attached != nil {
			attached()
		}
	}
	return e.containers.Attach(ctx, ref, opts)
}

// ContainerResize resizes a container's TTY.
func (e *Engine) ContainerResize(ref string, height, width uint16) error {
	if err := e.containers.Resize(ref, height, width); err != nil {
		return err
	}
	e.publishContainer("resize", ref, map[string]string{"height": strconv.Itoa(int(height)), "width": strconv.Itoa(int(width))})
	return nil
}

// ContainerLogs reads a container's log.
func (e *Engine) ContainerLogs(ctx context.Context, ref string, opts backend.LogOptions, fn func(backend.LogMessage) error) error {
	return e.containers.Logs(ctx, ref, opts, fn)
}

// ContainerTTY reports whether a container was created with a TTY, which
// decides how its streams are framed.
func (e *Engine) ContainerTTY(ref string) (bool, error) {
	c, err := e.containers.Get(ref)
	if err != nil {
		return false, err
	}
	return c.Config.Tty, nil
}

// ContainerInspect returns GET /containers/{id}/json.
// ContainerInspect describes a container; with size, also the bytes of its
// writable layer and of its whole root filesystem.
func (e *Engine) ContainerInspect(ref string, size bool) (*apicontainer.InspectResponse, error) {
	c, err := e.containers.Get(ref)
	if err != nil {
		return nil, err
	}
	resp := e.inspect(c)
	if size {
		rw, rootfs := e.containerSize(c)
		resp.SizeRw, resp.SizeRootFs = &rw, &rootfs
	}
	return resp, nil
}

// containerSize is what a container's writable layer holds and that plus
// its image: the two sizes of docker ps -s.
func (e *Engine) containerSize(c *container.Container) (rw, rootfs int64) {
	rw = c.SizeRw()
	rootfs = rw
	if img, err := e.images.Get(c.ImageID); err == nil {
		rootfs += img.Size
	}
	return rw, rootfs
}

func (e *Engine) inspect(c *container.Container) *apicontainer.InspectResponse {
	st := c.State
	state := &apicontainer.State{
		Status:     apiStatus(st),
		Paused:     st.Paused,
		Running:    st.Running(),
		Restarting: st.Status == container.StatusRestarting,
		Pid:        st.Pid,
		ExitCode:   st.ExitCode,
		Error:      st.Error,
		OOMKilled:  st.OOMKilled,
		StartedAt:  formatTime(st.StartedAt),
		FinishedAt: formatTime(st.FinishedAt),
	}
	hc := *c.HostConfig
	cfg := *c.Config
	return &apicontainer.InspectResponse{
		ID:             c.ID,
		Created:        c.Created.Format(time.RFC3339Nano),
		Path:           c.Path,
		Args:           nonNil(c.Args),
		State:          state,
		Image:          c.ImageID,
		ResolvConfPath: c.ResolvConfPath(),
		HostnamePath:   c.HostnamePath(),
		HostsPath:      c.HostsPath(),
		LogPath:        c.LogPath(),
		Name:           "/" + c.Name,
		RestartCount:   c.RestartCount,
		Driver:         "overlay2",
		Platform:       "linux",
		HostConfig:     &hc,
		GraphDriver: &storage.DriverData{
			Name: "overlay2",
			Data: map[string]string{
				"LowerDir":  strings.Join(c.LowerDirs, ":"),
				"UpperDir":  c.UpperDir(),
				"WorkDir":   c.WorkDir(),
				"MergedDir": c.MergedDir(),
			},
		},
		Mounts:          apiMountPoints(c.MountPoints),
		Config:          &cfg,
		NetworkSettings: e.networkSettings(c), // networks.go
		ExecIDs:         e.containers.ExecIDs(c.ID),
	}
}

// formatTime formats like Docker: RFC 3339 with nanoseconds, and Go's zero
// time for "never".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "0001-01-01T00:00:00Z"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ContainerList returns GET /containers/json.
func (e *Engine) ContainerList(opts backend.ListOptions) ([]apicontainer.Summary, error) {
	for k := range opts.Filters {
		switch k {
		case "status", "name", "id", "label", "exited", "ancestor":
		default:
			return nil, errdefs.InvalidParameter("invalid filter '%s'", k)
		}
	}
	if len(opts.Filters["status"]) > 0 || len(opts.Filters["exited"]) > 0 {
		opts.All = true // Docker: a status filter looks at every container
	}
	now := time.Now()
	out := []apicontainer.Summary{}
	for _, c := range e.containers.List() {
		if !opts.All && !c.State.Running() {
			continue
		}
		if !e.matches(c, opts.Filters) {
			continue
		}
		s := e.summary(c, now)
		if opts.Size {
			s.SizeRw, s.SizeRootFs = e.containerSize(c)
		}
		out = append(out, s)
		if opts.Limit > 0 && len(out) == opts.Limit {
			break
		}
	}
	return out, nil
}

func (e *Engine) matches(c *container.Container, filters map[string][]string) bool {
	anyOf := func(key string, ok func(string) bool) bool {
		vals := filters[key]
		if len(vals) == 0 {
			return true
		}
		for _, v := range vals {
			if ok(v) {
				return true
			}
		}
		return false
	}
	return anyOf("status", func(v string) bool { return string(c.State.Status) == v }) &&
		anyOf("name", func(v string) bool { return strings.Contains(c.Name, strings.TrimPrefix(v, "/")) }) &&
		anyOf("id", func(v string) bool { return strings.HasPrefix(c.ID, v) }) &&
		anyOf("exited", func(v string) bool {
			return c.State.Status == container.StatusExited && fmt.Sprint(c.State.ExitCode) == v
		}) &&
		anyOf("ancestor", func(v string) bool {
			img, err := e.images.Get(v)
			return err == nil && img.ID.String() == c.ImageID
		}) &&
		matchLabels(c.Config.Labels, filters["label"])
}

func allOf(vals []string, ok func(string) bool) bool {
	for _, v := range vals {
		if !ok(v) {
			return false
		}
	}
	return true
}

func (e *Engine) summary(c *container.Container, now time.Time) apicontainer.Summary {
	s := apicontainer.Summary{
		ID:      c.ID,
		Names:   []string{"/" + c.Name},
		Image:   c.Config.Image,
		ImageID: c.ImageID,
		Command: commandString(c.Path, c.Args),
		Created: c.Created.Unix(),
		Labels:  c.Config.Labels,
		State:   apiStatus(c.State),
		Status:  statusString(c.State, now),
		Mounts:  apiMountPoints(c.MountPoints),
	}
	if s.Labels == nil {
		s.Labels = map[string]string{}
	}
	s.HostConfig.NetworkMode = string(c.HostConfig.NetworkMode)
	s.Ports, s.NetworkSettings = e.portSummary(c), e.networkSummary(c) // networks.go
	return s
}

// statusString is the STATUS column of docker ps.
func statusString(st container.State, now time.Time) string {
	switch st.Status {
	case container.StatusRunning:
		return "Up " + units.HumanDuration(now.Sub(st.StartedAt)) + pausedSuffix(st)
	case container.StatusExited:
		if st.FinishedAt.IsZero() {
			return fmt.Sprintf("Exited (%d)", st.ExitCode)
		}
		return fmt.Sprintf("Exited (%d) %s ago", st.ExitCode, units.HumanDuration(now.Sub(st.FinishedAt)))
	case container.StatusRemoving:
		return "Removal In Progress"
	case container.StatusRestarting:
		return fmt.Sprintf("Restarting (%d) %s ago", st.ExitCode, units.HumanDuration(now.Sub(st.FinishedAt)))
	default:
		return "Created"
	}
}

// commandString is the COMMAND of docker ps: arguments with spaces are
// single-quoted, as moby does.
func commandString(path string, args []string) string {
	parts := []string{path}
	for _, a := range args {
		if strings.Contains(a, " ") {
			a = "'" + a + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// ContainerRename is POST /containers/{name}/rename.
func (e *Engine) ContainerRename(ref, newName string) error {
	return e.withEvent("rename", ref, func() error { return e.containers.Rename(ref, newName) })
}

// ContainersPrune is POST /containers/prune: every stopped container.
func (e *Engine) ContainersPrune(ctx context.Context, filters map[string][]string) (*apicontainer.PruneReport, error) {
	for k := range filters {
		if k != "label" {
			return nil, errdefs.InvalidParameter("invalid filter '%s'", k)
		}
	}
	res, err := e.containers.Prune(ctx, func(c *container.Container) bool {
		return matchLabels(c.Config.Labels, filters["label"])
	})
	if err != nil {
		return nil, err
	}
	removed := res.Removed
	if removed == nil {
		removed = []string{}
	}
	e.events.publish(newEvent("container", "prune", "", map[string]string{"reclaimed": strconv.FormatUint(res.SpaceReclaimed, 10)}))
	return &apicontainer.PruneReport{ContainersDeleted: removed, SpaceReclaimed: res.SpaceReclaimed}, nil
}
