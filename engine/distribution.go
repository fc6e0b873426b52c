package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
	"bolsillo/engine/image"
	"bolsillo/internal/imageref"
)

// ImagePull is POST /images/create?fromImage=...: it streams Docker's pull
// messages ("Pulling from library/busybox", one line per layer step,
// "Digest: ...", "Status: Downloaded newer image for busybox:latest").
func (e *Engine) ImagePull(ctx context.Context, opts backend.PullOptions, out func(backend.JSONMessage) error) error {
	ref := opts.Image
	if opts.Tag != "" {
		if strings.HasPrefix(opts.Tag, "sha256:") {
			ref += "@" + opts.Tag
		} else {
			ref += ":" + opts.Tag
		}
	}
	named, err := imageref.ParseNormalizedNamed(ref)
	if err != nil {
		return errdefs.InvalidParameter("invalid reference format: %s", err.Error())
	}
	named = imageref.TagNameOnly(named)
	tagOrDigest := "latest"
	switch r := named.(type) {
	case imageref.Digested:
		tagOrDigest = r.Digest().String()
	case imageref.Tagged:
		tagOrDigest = r.Tag()
	}
	platform, err := parsePlatform(opts.Platform)
	if err != nil {
		return err
	}

	started := false
	var sendErr error
	progress := func(p image.Progress) {
		if sendErr != nil {
			return
		}
		if !started {
			started = true
			sendErr = out(backend.JSONMessage{Status: "Pulling from " + imageref.FamiliarName(named), ID: tagOrDigest})
		}
		if sendErr == nil {
			sendErr = out(progressMessage(p))
		}
	}
	res, err := e.images.Pull(ctx, imageref.FamiliarString(named), image.PullOptions{
		Auth:     authenticator(opts.Auth),
		Platform: platform,
		Progress: progress,
	})
	if err != nil {
		return registryError(err, imageref.FamiliarName(named))
	}
	if sendErr != nil {
		return sendErr
	}
	if !started {
		if err := out(backend.JSONMessage{Status: "Pulling from " + imageref.FamiliarName(named), ID: tagOrDigest}); err != nil {
			return err
		}
	}
	e.publishImage("pull", imageref.FamiliarString(named), imageref.FamiliarName(named))
	if err := out(backend.JSONMessage{Status: "Digest: " + res.Digest.String()}); err != nil {
		return err
	}
	status := "Status: Downloaded newer image for " + res.Ref
	if res.UpToDate {
		status = "Status: Image is up to date for " + res.Ref
	}
	return out(backend.JSONMessage{Status: status})
}

// progressMessage is one image.Progress as Docker streams it: a bar only
// for the steps that move bytes.
func progressMessage(p image.Progress) backend.JSONMessage {
	m := backend.JSONMessage{Status: p.Action, ID: p.ID}
	switch p.Action {
	case "Downloading", "Extracting", "Pushing", "Loading layer":
		m.ProgressDetail = &backend.ProgressDetail{Current: p.Current, Total: p.Total}
	}
	return m
}

// ImagePush is POST /images/{name}/push.
func (e *Engine) ImagePush(ctx context.Context, opts backend.PushOptions, out func(backend.JSONMessage) error) error {
	ref := opts.Name
	if opts.Tag != "" {
		ref += ":" + opts.Tag
	}
	named, err := imageref.ParseNormalizedNamed(ref)
	if err != nil {
		return errdefs.InvalidParameter("invalid reference format: %s", err.Error())
	}
	named = imageref.TagNameOnly(named)
	if _, err := e.images.Get(imageref.FamiliarString(named)); err != nil {
		return errdefs.NotFound("An image does not exist locally with the tag: %s", imageref.FamiliarName(named))
	}
	if err := out(backend.JSONMessage{Status: "The push refers to repository [" + named.Name() + "]"}); err != nil {
		return err
	}
	var sendErr error
	res, err := e.images.Push(ctx, imageref.FamiliarString(named), image.PushOptions{
		Auth: authenticator(opts.Auth),
		Progress: func(p image.Progress) {
			if sendErr == nil {
				sendErr = out(progressMessage(p))
			}
		},
	})
	if err != nil {
		return registryError(err, imageref.FamiliarName(named))
	}
	if sendErr != nil {
		return sendErr
	}
	e.publishImage("push", imageref.FamiliarString(named), imageref.FamiliarName(named))
	tag := "latest"
	if t, ok := named.(imageref.Tagged); ok {
		tag = t.Tag()
	}
	if err := out(backend.JSONMessage{Status: fmt.Sprintf("%s: digest: %s size: %d", tag, res.Digest, res.Size)}); err != nil {
		return err
	}
	return out(backend.JSONMessage{
		ProgressDetail: &backend.ProgressDetail{},
		Aux:            map[string]any{"Tag": tag, "Digest": res.Digest.String(), "Size": res.Size},
	})
}

// ImageTag is POST /images/{name}/tag.
func (e *Engine) ImageTag(src, repo, tag string) error {
	img, err := e.image(src)
	if err != nil {
		return err
	}
	if repo == "" {
		return errdefs.InvalidParameter("repository name must have at least one component")
	}
	target := repo
	if tag != "" {
		target += ":" + tag
	}
	if _, err := image.NormalizeRef(target); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	if _, err := e.images.Tag(img.ID, target); err != nil {
		return err
	}
	e.publishImage("tag", img.ID.String(), familiarTagged(target))
	return nil
}

// AuthLogin is POST /auth: it checks the credentials against the registry,
// as `docker login` asks the daemon to.
func (e *Engine) AuthLogin(ctx context.Context, auth backend.AuthConfig) (string, string, error) {
	server := auth.ServerAddress
	if server == "" || strings.Contains(server, "index.docker.io") || strings.Contains(server, "docker.io") {
		server = name.DefaultRegistry
	}
	server = strings.TrimPrefix(strings.TrimPrefix(server, "https://"), "http://")
	server, _, _ = strings.Cut(server, "/")
	reg, err := name.NewRegistry(server, e.images.RegistryOptions(server)...)
	if err != nil {
		return "", "", errdefs.InvalidParameter("invalid registry address %q: %s", auth.ServerAddress, err.Error())
	}
	if _, err := transport.NewWithContext(ctx, reg, authenticator(auth), http.DefaultTransport, []string{reg.Scope(transport.PullScope)}); err != nil {
		return "", "", registryError(err, server)
	}
	return "Login Succeeded", "", nil
}

// authenticator turns X-Registry-Auth into credentials for the registry.
func authenticator(a backend.AuthConfig) authn.Authenticator {
	if a == (backend.AuthConfig{ServerAddress: a.ServerAddress}) {
		return authn.Anonymous
	}
	return authn.FromConfig(authn.AuthConfig{
		Username:      a.Username,
		Password:      a.Password,
		Auth:          a.Auth,
		IdentityToken: a.IdentityToken,
		RegistryToken: a.RegistryToken,
	})
}

// parsePlatform parses "os/arch[/variant]".
func parsePlatform(s string) (*v1.Platform, error) {
	if s == "" {
		return nil, nil
	}
	p, err := v1.ParsePlatform(s)
	if err != nil {
		return nil, errdefs.InvalidParameter("invalid platform %q: %s", s, err.Error())
	}
	return p, nil
}

// registryError classifies an error from a registry with Docker's status
// codes and, for the common cases, Docker's wording.
func registryError(err error, repo string) error {
	if errdefs.KindOf(err) != errdefs.KindUnknown {
		return err
	}
	var terr *transport.Error
	if errors.As(err, &terr) {
		switch terr.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			if hasCode(terr, transport.UnauthorizedErrorCode, transport.DeniedErrorCode) {
				return errdefs.NotFound("pull access denied for %s, repository does not exist or may require 'docker login': %s", repo, err.Error())
			}
			return errdefs.Classify(errdefs.KindUnauthorized, err)
		case http.StatusNotFound:
			return errdefs.Classify(errdefs.KindNotFound, err)
		case http.StatusTooManyRequests:
			return errdefs.Classify(errdefs.KindUnknown, err)
		}
	}
	return err
}

func hasCode(terr *transport.Error, codes ...transport.ErrorCode) bool {
	for _, d := range terr.Errors {
		for _, c := range codes {
			if d.Code == c {
				return true
			}
		}
	}
	return false
}

// ImageSave writes a docker-archive of the named images.
func (e *Engine) ImageSave(ctx context.Context, names []string, open func() io.Writer) error {
	var ids []string
	for _, n := range names {
		img, err := e.image(n)
		if err != nil {
			return err
		}
		if !slices.Contains(ids, img.ID.String()) {
			ids = append(ids, img.ID.String())
		}
	}
	if err := e.images.Save(ctx, open(), names); err != nil {
		return err
	}
	for _, id := range ids {
		e.publishImage("save", id, id)
	}
	return nil
}

// ImageLoad is POST /images/load: a docker-archive or OCI-layout tar.
func (e *Engine) ImageLoad(ctx context.Context, r io.Reader, quiet bool, out func(backend.JSONMessage) error) error {
	var progress func(image.Progress)
	if !quiet {
		progress = func(p image.Progress) { _ = out(progressMessage(p)) }
	}
	res, err := e.images.Load(ctx, r, progress)
	if err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	var loaded []string
	for _, ref := range res.Refs {
		if img, err := e.images.Get(ref); err == nil && !slices.Contains(loaded, img.ID.String()) {
			loaded = append(loaded, img.ID.String())
		}
	}
	for _, id := range res.IDs {
		if !slices.Contains(loaded, id.String()) {
			loaded = append(loaded, id.String())
		}
	}
	for _, id := range loaded {
		e.publishImage("load", id, id)
	}
	for _, ref := range res.Refs {
		if err := out(backend.JSONMessage{Stream: "Loaded image: " + ref + "\n"}); err != nil {
			return err
		}
	}
	for _, id := range res.IDs {
		if err := out(backend.JSONMessage{Stream: "Loaded image ID: " + id.String() + "\n"}); err != nil {
			return err
		}
	}
	return nil
}
