package engine

import (
	"context"
	"fmt"
	"io"
	"maps"
	"strings"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
	"bolsillo/engine/image"
	"bolsillo/engine/layer"
)

// ContainerCommit makes an image of a container, as POST /commit: the
// container's writable layer becomes one more read-only layer on top of
// its image's, and the image's config is the container's, overridden by
// opts.Config and opts.Changes. Volumes and bind mounts are not in the
// writable layer, so their files are not in the image. It returns the new
// image's ID.
//
// With opts.Pause (the default of docker commit) a running container is
// frozen while its writable layer is read, so the layer is consistent.
func (e *Engine) ContainerCommit(ctx context.Context, ref string, opts backend.CommitOptions) (string, error) {
	c, err := e.containers.Get(ref)
	if err != nil {
		return "", err
	}
	parent, err := e.images.Get(c.ImageID)
	if err != nil {
		return "", fmt.Errorf("image %s of container %s: %w", c.ImageID, c.Name, err)
	}
	config, err := commitConfig(c.Config, opts.Config, opts.Changes)
	if err != nil {
		return "", err
	}
	refName := opts.Repo
	if refName != "" && opts.Tag != "" {
		refName += ":" + opts.Tag
	}
	if refName != "" {
		if _, err := image.NormalizeRef(refName); err != nil {
			return "", errdefs.InvalidParameter("%s", err.Error())
		}
	}

	if opts.Pause && c.State.Running() && !c.State.Paused {
		if err := e.ContainerPause(c.ID); err == nil {
			defer func() { _ = e.ContainerUnpause(c.ID) }()
		}
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(layer.Diff(ctx, c.UpperDir(), pw))
	}()
	defer pr.Close()
	res, err := e.images.Create(ctx, image.CreateOptions{
		Parent:    parent,
		Layer:     pr,
		Config:    config,
		CreatedBy: strings.Join(c.Config.Cmd, " "),
		Comment:   opts.Comment,
		Author:    opts.Author,
		Ref:       refName,
	})
	if err != nil {
		return "", err
	}
	id := res.Image.ID.String()
	imageRef := ""
	if refName != "" {
		imageRef = familiarTagged(refName)
		e.publishImage("tag", id, imageRef)
	}
	e.events.publish(containerEvent("commit", c, map[string]string{"comment": opts.Comment, "imageID": id, "imageRef": imageRef}))
	return id, nil
}

// commitConfig is Docker's commit config: the request's config (or the
// container's when there is none) with the changes applied, and what it
// still leaves empty taken from the container's.
func commitConfig(ctr, req *apicontainer.Config, changes []string) (dockerspec.DockerOCIImageConfig, error) {
	base := ctr
	if req != nil {
		base = req
	}
	cfg := imageConfig(base)
	if err := image.ApplyChanges(&cfg, changes); err != nil {
		return cfg, err
	}
	mergeCommitConfig(&cfg, imageConfig(ctr))
	return cfg, nil
}

// imageConfig is the part of a container's config that an image keeps.
func imageConfig(c *apicontainer.Config) dockerspec.DockerOCIImageConfig {
	var out dockerspec.DockerOCIImageConfig
	out.User = c.User
	if len(c.ExposedPorts) > 0 {
		out.ExposedPorts = make(map[string]struct{}, len(c.ExposedPorts))
		for p := range c.ExposedPorts {
			out.ExposedPorts[p.String()] = struct{}{}
		}
	}
	out.Env = append([]string(nil), c.Env...)
	out.Entrypoint = append([]string(nil), c.Entrypoint...)
	out.Cmd = append([]string(nil), c.Cmd...)
	out.Volumes = maps.Clone(c.Volumes)
	out.WorkingDir = c.WorkingDir
	out.Labels = maps.Clone(c.Labels)
	out.StopSignal = c.StopSignal
	out.ArgsEscaped = c.ArgsEscaped
	if c.Healthcheck != nil {
		hc := *c.Healthcheck
		out.Healthcheck = &hc
	}
	out.OnBuild = append([]string(nil), c.OnBuild...)
	out.Shell = append([]string(nil), c.Shell...)
	return out
}

// mergeCommitConfig fills what cfg leaves empty from the container's
// config, with the rules of Docker's commit: ports, labels and volumes are
// merged, variables merged by name with cfg winning, and the container's
// CMD is kept only when cfg sets neither CMD nor ENTRYPOINT.
func mergeCommitConfig(cfg *dockerspec.DockerOCIImageConfig, ctr dockerspec.DockerOCIImageConfig) {
	if cfg.User == "" {
		cfg.User = ctr.User
	}
	for p := range ctr.ExposedPorts {
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		cfg.ExposedPorts[p] = struct{}{}
	}
	for _, kv := range ctr.Env {
		k, _, _ := strings.Cut(kv, "=")
		if !hasEnv(cfg.Env, k) {
			cfg.Env = append(cfg.Env, kv)
		}
	}
	for k, v := range ctr.Labels {
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		if _, ok := cfg.Labels[k]; !ok {
			cfg.Labels[k] = v
		}
	}
	if len(cfg.Entrypoint) == 0 {
		if len(cfg.Cmd) == 0 {
			cfg.Cmd = ctr.Cmd
			cfg.ArgsEscaped = ctr.ArgsEscaped
		}
		if cfg.Entrypoint == nil {
			cfg.Entrypoint = ctr.Entrypoint
		}
	}
	if cfg.Healthcheck == nil {
		cfg.Healthcheck = ctr.Healthcheck
	}
	if cfg.WorkingDir == "" {
		cfg.WorkingDir = ctr.WorkingDir
	}
	for k, v := range ctr.Volumes {
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		cfg.Volumes[k] = v
	}
	if cfg.StopSignal == "" {
		cfg.StopSignal = ctr.StopSignal
	}
}

func hasEnv(env []string, key string) bool {
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return true
		}
	}
	return false
}
