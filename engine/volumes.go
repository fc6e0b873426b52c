package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	apicontainer "github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	apivolume "github.com/moby/moby/api/types/volume"

	"bolsillo/engine/container"
	"bolsillo/engine/errdefs"
	"bolsillo/engine/volume"
)

// openVolumes opens the volume store and counts which containers use each
// volume; from then on the manager's removals release them.
func openVolumes(root string, containers *container.Manager, events *eventBus) (*volume.Store, error) {
	vols, err := volume.Open(root)
	if err != nil {
		return nil, fmt.Errorf("opening volume store: %w", err)
	}
	for _, c := range containers.List() {
		for _, mp := range c.MountPoints {
			if mp.Type == string(mount.TypeVolume) {
				vols.Acquire(mp.Name, c.ID)
			}
		}
	}
	containers.SetRemoveHook(func(c *container.Container) {
		// Every removal is a destroy event: by request, --rm or a failed
		// start. The volumes' events follow, as in moby.
		events.publish(containerEvent("destroy", c, nil))
		for _, mp := range c.MountPoints {
			if mp.Type != string(mount.TypeVolume) {
				continue
			}
			vols.Release(mp.Name, c.ID)
			// --rm takes the container's anonymous volumes with it, as in
			// Docker; named volumes always stay.
			if c.HostConfig.AutoRemove {
				removeIfAnonymous(vols, mp.Name, events)
			}
		}
	})
	return vols, nil
}

// removeIfAnonymous removes an anonymous volume nothing else uses.
func removeIfAnonymous(vols *volume.Store, name string, events *eventBus) {
	if v, err := vols.Get(name); err == nil && v.Anonymous() {
		if vols.Remove(name) == nil { // still in use elsewhere: it stays
			events.publish(volumeEvent("destroy", name, nil))
		}
	}
}

// createWithMounts is containers.Create with the container's volumes and
// binds resolved first: named volumes that do not exist and anonymous ones
// are created, and removed again if the container cannot be.
func (e *Engine) createWithMounts(opts container.CreateOptions) (*container.Container, error) {
	specs, err := mountSpecs(opts.HostConfig, opts.Config, opts.Image.Config.Volumes)
	if err != nil {
		return nil, err
	}
	var created []string
	undo := func() {
		for _, name := range created {
			if e.volumes.Remove(name) == nil {
				e.events.publish(volumeEvent("destroy", name, nil))
			}
		}
	}
	for _, s := range specs {
		mp, isNew, err := e.mountPoint(s)
		if err != nil {
			undo()
			return nil, err
		}
		if isNew {
			created = append(created, mp.Name)
			e.events.publish(volumeEvent("create", mp.Name, nil))
		}
		opts.MountPoints = append(opts.MountPoints, mp)
	}
	c, err := e.containers.Create(opts)
	if err != nil {
		undo()
		return nil, err
	}
	for _, mp := range c.MountPoints {
		if mp.Type == string(mount.TypeVolume) {
			e.volumes.Acquire(mp.Name, c.ID)
		}
	}
	return c, nil
}

// mountSpecs gathers a create request's mounts: binds, --mount, then an
// anonymous volume for every Config.Volumes or image VOLUME path nothing
// else is mounted on. Two mounts on one path are an error.
func mountSpecs(hc *apicontainer.HostConfig, cfg *apicontainer.Config, imageVolumes map[string]struct{}) ([]volume.Spec, error) {
	var specs []volume.Spec
	seen := map[string]bool{}
	add := func(s volume.Spec) error {
		if seen[s.Destination] {
			return errdefs.InvalidParameter("Duplicate mount point: %s", s.Destination)
		}
		seen[s.Destination] = true
		specs = append(specs, s)
		return nil
	}
	if hc != nil {
		for _, b := range hc.Binds {
			s, err := volume.ParseBind(b)
			if err != nil {
				return nil, err
			}
			if err := add(s); err != nil {
				return nil, err
			}
		}
		for _, m := range hc.Mounts {
			s, err := volume.ParseMount(m)
			if err != nil {
				return nil, err
			}
			if err := add(s); err != nil {
				return nil, err
			}
		}
	}
	var anon []string
	if cfg != nil {
		for p := range cfg.Volumes {
			anon = append(anon, p)
		}
	}
	for p := range imageVolumes {
		anon = append(anon, p)
	}
	sort.Strings(anon)
	for _, p := range anon {
		s, err := volume.Anonymous(p)
		if err != nil {
			return nil, err
		}
		if !seen[s.Destination] {
			seen[s.Destination] = true
			specs = append(specs, s)
		}
	}
	return specs, nil
}

// mountPoint makes a spec real: the volume exists, the bind source exists.
// isNew tells whether a volume was created for it.
func (e *Engine) mountPoint(s volume.Spec) (mp container.MountPoint, isNew bool, err error) {
	mp = container.MountPoint{
		Type:        string(s.Type),
		Destination: s.Destination,
		RW:          !s.ReadOnly,
		Mode:        s.Mode,
		NoCopy:      s.NoCopy,
	}
	if s.Type == mount.TypeBind {
		if _, err := os.Stat(s.Source); errors.Is(err, fs.ErrNotExist) {
			if !s.CreateSource {
				return mp, false, errdefs.InvalidParameter("invalid mount config for type \"bind\": bind source path does not exist: %s", s.Source)
			}
			// -v creates a missing host directory, as Docker does.
			if err := os.MkdirAll(s.Source, 0o755); err != nil {
				return mp, false, fmt.Errorf("creating bind source %s: %w", s.Source, err)
			}
		} else if err != nil {
			return mp, false, fmt.Errorf("bind source %s: %w", s.Source, err)
		}
		mp.Source = s.Source
		return mp, false, nil
	}
	v, created, err := e.volumes.Create(volume.CreateOptions{Name: s.Source})
	if err != nil {
		return mp, false, err
	}
	mp.Name, mp.Source = v.Name, v.Mountpoint()
	return mp, created, nil
}

// apiMountPoints are a container's mounts as inspect and ps show them,
// sorted by destination.
func apiMountPoints(mps []container.MountPoint) []apicontainer.MountPoint {
	out := make([]apicontainer.MountPoint, 0, len(mps))
	for _, mp := range mps {
		m := apicontainer.MountPoint{
			Type:        mount.Type(mp.Type),
			Name:        mp.Name,
			Source:      mp.Source,
			Destination: mp.Destination,
			Mode:        mp.Mode,
			RW:          mp.RW,
		}
		if m.Type == mount.TypeVolume {
			m.Driver = volume.Driver
		} else {
			m.Propagation = mount.PropagationRPrivate
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Destination < out[j].Destination })
	return out
}

// ContainerRemoveVolumes is DELETE /containers/{id}?v=1: the container,
// then its anonymous volumes. Named volumes are never removed with a
// container.
func (e *Engine) ContainerRemoveVolumes(ctx context.Context, ref string, force bool) error {
	c, err := e.containers.Get(ref)
	if err != nil {
		return err
	}
	if err := e.ContainerRemove(ctx, ref, force); err != nil {
		return err
	}
	for _, mp := range c.MountPoints {
		if mp.Type == string(mount.TypeVolume) {
			removeIfAnonymous(e.volumes, mp.Name, e.events)
		}
	}
	return nil
}

// apiVolume is a volume as the API shows it.
func apiVolume(v *volume.Volume) apivolume.Volume {
	labels := v.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	return apivolume.Volume{
		Name:       v.Name,
		Driver:     volume.Driver,
		Mountpoint: v.Mountpoint(),
		CreatedAt:  v.CreatedAt.Format(time.RFC3339),
		Labels:     labels,
		Scope:      volume.Scope,
		Options:    v.Options,
	}
}

// VolumeCreate is POST /volumes/create. Creating an existing volume
// returns it, as Docker does.
func (e *Engine) VolumeCreate(req apivolume.CreateRequest) (*apivolume.Volume, error) {
	v, isNew, err := e.volumes.Create(volume.CreateOptions{
		Name:       req.Name,
		Driver:     req.Driver,
		DriverOpts: req.DriverOpts,
		Labels:     req.Labels,
	})
	if err != nil {
		return nil, err
	}
	if isNew {
		e.events.publish(volumeEvent("create", v.Name, nil))
	}
	out := apiVolume(v)
	return &out, nil
}

// VolumeInspect is GET /volumes/{name}.
func (e *Engine) VolumeInspect(name string) (*apivolume.Volume, error) {
	v, err := e.volumes.Get(name)
	if err != nil {
		return nil, err
	}
	out := apiVolume(v)
	return &out, nil
}

// VolumeList is GET /volumes, with the filters dangling, name, label and
// driver.
func (e *Engine) VolumeList(filters map[string][]string) (*apivolume.ListResponse, error) {
	match, err := volumeFilter(filters, "dangling", "name", "label", "driver")
	if err != nil {
		return nil, err
	}
	out := &apivolume.ListResponse{Volumes: []apivolume.Volume{}, Warnings: []string{}}
	for _, v := range e.volumes.List() {
		if match(v, len(e.volumes.Refs(v.Name)) > 0) {
			out.Volumes = append(out.Volumes, apiVolume(v))
		}
	}
	return out, nil
}

// VolumeRemove is DELETE /volumes/{name}. A volume in use is a conflict
// even with force, as in Docker; force only makes a missing volume fine.
func (e *Engine) VolumeRemove(name string, force bool) error {
	err := e.volumes.Remove(name)
	if force && errdefs.IsNotFound(err) {
		return nil
	}
	if err == nil {
		e.events.publish(volumeEvent("destroy", name, nil))
	}
	return err
}

// VolumesPrune is POST /volumes/prune: the unused anonymous volumes, or
// every unused volume with the filter all=true (Docker 23+).
func (e *Engine) VolumesPrune(filters map[string][]string) (*apivolume.PruneReport, error) {
	all := false
	for _, v := range filters["all"] {
		b, err := parseBoolFilter("all", v)
		if err != nil {
			return nil, err
		}
		all = b
	}
	rest := map[string][]string{}
	for k, v := range filters {
		if k != "all" {
			rest[k] = v
		}
	}
	match, err := volumeFilter(rest, "label", "label!")
	if err != nil {
		return nil, err
	}
	rep, err := e.volumes.Prune(func(v *volume.Volume) bool {
		return (all || v.Anonymous()) && match(v, false)
	})
	if err != nil {
		return nil, err
	}
	deleted := rep.Removed
	if deleted == nil {
		deleted = []string{}
	}
	for _, name := range deleted {
		e.events.publish(volumeEvent("destroy", name, nil))
	}
	e.events.publish(newEvent("volume", "prune", "", map[string]string{"reclaimed": strconv.FormatUint(rep.SpaceReclaimed, 10)}))
	return &apivolume.PruneReport{VolumesDeleted: deleted, SpaceReclaimed: rep.SpaceReclaimed}, nil
}

// volumeFilter checks filters against the allowed keys and returns the
// predicate they make; inUse is whether a container uses the volume.
func volumeFilter(filters map[string][]string, allowed ...string) (func(v *volume.Volume, inUse bool) bool, error) {
	var dangling *bool
	for k, vals := range filters {
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			return nil, errdefs.InvalidParameter("invalid filter '%s'", k)
		}
		if k == "dangling" {
			for _, val := range vals {
				b, err := parseBoolFilter(k, val)
				if err != nil {
					return nil, err
				}
				dangling = &b
			}
		}
	}
	return func(v *volume.Volume, inUse bool) bool {
		if dangling != nil && *dangling == inUse {
			return false
		}
		return anyMatch(filters["name"], func(s string) bool { return matchName(s, v.Name) }) &&
			anyMatch(filters["driver"], func(s string) bool { return s == volume.Driver }) &&
			matchLabels(v.Labels, filters["label"]) &&
			!anyLabel(v.Labels, filters["label!"])
	}, nil
}

// anyMatch is true when vals is empty or one of them matches.
func anyMatch(vals []string, ok func(string) bool) bool {
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

// anyLabel reports whether labels has one of keys ("k" or "k=v").
func anyLabel(labels map[string]string, keys []string) bool {
	for _, f := range keys {
		k, want, hasValue := strings.Cut(f, "=")
		if got, ok := labels[k]; ok && (!hasValue || got == want) {
			return true
		}
	}
	return false
}

// matchName is Docker's name filter: a regular expression searched in the
// name (a plain word is a substring).
func matchName(pattern, name string) bool {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return strings.Contains(name, pattern)
	}
	return re.MatchString(name)
}

func parseBoolFilter(key, val string) (bool, error) {
	switch strings.ToLower(val) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, errdefs.InvalidParameter("invalid filter '%s=%s'", key, val)
}
