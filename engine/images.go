package engine

import (
	"context"
	"io"
	"strings"
	"time"

	apiimage "github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/storage"
	"github.com/opencontainers/go-digest"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
	"bolsillo/engine/image"
)

// ImageInspect returns GET /images/{name}/json.
func (e *Engine) ImageInspect(ref string) (*backend.ImageInspect, error) {
	img, err := e.image(ref)
	if err != nil {
		return nil, err
	}
	cfg := img.Config
	layers := make([]string, len(cfg.RootFS.DiffIDs))
	for i, d := range cfg.RootFS.DiffIDs {
		layers[i] = d.String()
	}
	lowers, _ := e.images.LayerDirs(img)
	created := ""
	if cfg.Created != nil {
		created = cfg.Created.UTC().Format(time.RFC3339Nano)
	}
	comment := ""
	if n := len(cfg.History); n > 0 {
		comment = cfg.History[n-1].Comment
	}
	conf := cfg.Config
	return &backend.ImageInspect{
		InspectResponse: apiimage.InspectResponse{
			ID:           img.ID.String(),
			RepoTags:     nonNil(img.RepoTags),
			RepoDigests:  nonNil(img.RepoDigests),
			Comment:      comment,
			Created:      created,
			Author:       cfg.Author,
			Config:       &conf,
			Architecture: cfg.Architecture,
			Variant:      cfg.Variant,
			Os:           cfg.OS,
			Size:         img.Size,
			GraphDriver: &storage.DriverData{
				Name: "overlay2",
				Data: map[string]string{"LowerDir": strings.Join(lowers, ":")},
			},
			RootFS: apiimage.RootFS{Type: cfg.RootFS.Type, Layers: layers},
		},
		Parent: string(img.Parent),
	}, nil
}

// ImageList returns GET /images/json. Without All, images without tags
// that other images are built on (the intermediate images of a build) are
// left out, as Docker does.
func (e *Engine) ImageList(opts backend.ImageListOptions) ([]apiimage.Summary, error) {
	for k := range opts.Filters {
		switch k {
		case "dangling", "reference", "label", "before", "since":
		default:
			return nil, errdefs.InvalidParameter("invalid filter '%s'", k)
		}
	}
	before, err := e.filterTime(opts.Filters["before"])
	if err != nil {
		return nil, err
	}
	since, err := e.filterTime(opts.Filters["since"])
	if err != nil {
		return nil, err
	}
	imgs, err := e.images.List()
	if err != nil {
		return nil, err
	}
	// Parents of other images, found in one pass: asking the store per
	// image would walk every image for each one.
	isParent := make(map[digest.Digest]bool)
	for _, img := range imgs {
		if img.Parent != "" {
			isParent[img.Parent] = true
		}
	}
	out := []apiimage.Summary{}
	for _, img := range imgs {
		dangling := len(img.RepoTags) == 0
		if dangling && !opts.All && isParent[img.ID] {
			continue
		}
		if vals := opts.Filters["dangling"]; len(vals) > 0 {
			want := vals[0] == "true" || vals[0] == "1"
			if dangling != want {
				continue
			}
		}
		if refs := opts.Filters["reference"]; len(refs) > 0 && !matchesReference(img.RepoTags, refs) {
			continue
		}
		labels := img.Config.Config.Labels
		if !matchLabels(labels, opts.Filters["label"]) {
			continue
		}
		var created int64
		if img.Config.Created != nil {
			created = img.Config.Created.Unix()
		}
		if before != nil && created >= *before || since != nil && created <= *since {
			continue
		}
		if labels == nil {
			labels = map[string]string{}
		}
		out = append(out, apiimage.Summary{
			ID:          img.ID.String(),
			ParentID:    string(img.Parent),
			RepoTags:    nonNil(img.RepoTags),
			RepoDigests: nonNil(img.RepoDigests),
			Created:     created,
			Size:        img.Size,
			SharedSize:  -1,
			Labels:      labels,
			Containers:  -1,
		})
	}
	return out, nil
}

// filterTime resolves the image of a before/since filter to its creation
// time.
func (e *Engine) filterTime(vals []string) (*int64, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	img, err := e.image(vals[0])
	if err != nil {
		return nil, err
	}
	var t int64
	if img.Config.Created != nil {
		t = img.Config.Created.Unix()
	}
	return &t, nil
}

// matchesReference implements the reference filter: "busybox" matches every
// tag of busybox, "busybox:1.0" that tag only.
func matchesReference(tags, refs []string) bool {
	for _, ref := range refs {
		for _, tag := range tags {
			repo, _, _ := strings.Cut(tag, ":")
			if tag == ref || repo == ref {
				return true
			}
		}
	}
	return false
}

// ImageImport makes a one-layer image from a root filesystem tar.
func (e *Engine) ImageImport(ctx context.Context, r io.Reader, opts backend.ImportOptions) (string, error) {
	ref := opts.Repo
	if ref != "" && opts.Tag != "" {
		ref += ":" + opts.Tag
	}
	if ref != "" {
		if _, err := image.NormalizeRef(ref); err != nil {
			return "", errdefs.InvalidParameter("%s", err.Error())
		}
	}
	img, err := e.images.Import(ctx, r, image.ImportOptions{Ref: ref, Changes: opts.Changes, Message: opts.Message})
	if err != nil {
		return "", errdefs.InvalidParameter("%s", err.Error())
	}
	id := img.ID.String()
	if ref != "" {
		e.publishImage("tag", id, familiarTagged(ref))
	}
	e.publishImage("import", id, id)
	return id, nil
}
