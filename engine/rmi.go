package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	apiimage "github.com/moby/moby/api/types/image"
	"github.com/opencontainers/go-digest"

	"bolsillo/engine/container"
	"bolsillo/engine/errdefs"
	"bolsillo/engine/image"
)

// ImageDelete is DELETE /images/{name}: docker rmi. A name removes that tag;
// the image itself goes when its last tag goes and no container uses it.
// An ID removes the image, which needs force when several tags point at it
// or a stopped container uses it; a running container's image is never
// removed.
func (e *Engine) ImageDelete(ctx context.Context, ref string, force, prune bool) ([]apiimage.DeleteResponse, error) {
	e.removal.Lock()
	defer e.removal.Unlock()
	img, err := e.image(ref)
	if err != nil {
		return nil, err
	}
	running, stopped := e.containersUsing(img.ID)
	byID := isImageID(ref, img.ID)
	short := img.ID.Encoded()[:12]

	var out []apiimage.DeleteResponse
	if !byID {
		normalized, err := image.NormalizeRef(ref)
		if err != nil {
			return nil, errdefs.InvalidParameter("%s", err.Error())
		}
		familiar := image.FamiliarRef(normalized)
		if len(img.RepoTags) == 1 && !force {
			if c := firstOf(running, stopped); c != nil {
				return nil, errdefs.Conflict("conflict: unable to remove repository reference %q (must force) - container %s is using its referenced image %s", ref, c.ID[:12], short)
			}
		}
		if _, err := e.images.Untag(normalized); err != nil {
			return nil, err
		}
		e.publishImage("untag", img.ID.String(), img.ID.String())
		out = append(out, apiimage.DeleteResponse{Untagged: familiar})
		if len(img.RepoTags) > 1 || len(running)+len(stopped) > 0 || len(e.images.Children(img.ID)) > 0 {
			return out, nil // other names remain, or a container or a child image still needs it
		}
	} else {
		switch {
		case len(e.images.Children(img.ID)) > 0:
			return nil, errdefs.Conflict("conflict: unable to delete %s (cannot be forced) - image has dependent child images", short)
		case len(running) > 0:
			return nil, errdefs.Conflict("conflict: unable to delete %s (cannot be forced) - image is being used by running container %s", short, running[0].ID[:12])
		case len(stopped) > 0 && !force:
			return nil, errdefs.Conflict("conflict: unable to delete %s (must be forced) - image is being used by stopped container %s", short, stopped[0].ID[:12])
		case len(img.RepoTags) > 1 && !force:
			return nil, errdefs.Conflict("conflict: unable to delete %s (must be forced) - image is referenced in multiple repositories", short)
		}
		for _, t := range img.RepoTags {
			if _, err := e.images.Untag(t); err != nil {
				return out, err
			}
			e.publishImage("untag", img.ID.String(), img.ID.String())
			out = append(out, apiimage.DeleteResponse{Untagged: t})
		}
		if len(stopped) > 0 {
			// Forced: the tags go, the image stays for the stopped
			// containers that run on its layers (it is now dangling).
			return out, nil
		}
	}
	deleted, err := e.deleteImage(img.ID)
	out = append(out, deleted...)
	if err != nil || !prune {
		return out, err
	}
	// Docker also removes the untagged parents the image was built on
	// (a build's intermediate images), up to one that is still needed.
	for parent := img.Parent; parent != ""; {
		p, err := e.images.Get(parent.String())
		if err != nil || len(p.RepoTags) > 0 || len(e.images.Children(p.ID)) > 0 {
			break
		}
		if running, stopped := e.containersUsing(p.ID); len(running)+len(stopped) > 0 {
			break
		}
		deleted, err := e.deleteImage(p.ID)
		out = append(out, deleted...)
		if err != nil {
			return out, err
		}
		parent = p.Parent
	}
	return out, nil
}

// deleteImage removes an image and reports it and the layers that went
// with it (those no other image uses), as Docker's "Deleted:" lines.
func (e *Engine) deleteImage(id digest.Digest) ([]apiimage.DeleteResponse, error) {
	unique, err := e.uniqueLayers(id)
	if err != nil {
		return nil, err
	}
	if err := e.images.Delete(id); err != nil {
		return nil, err
	}
	e.publishImage("delete", id.String(), id.String())
	out := []apiimage.DeleteResponse{{Deleted: id.String()}}
	for _, d := range unique {
		out = append(out, apiimage.DeleteResponse{Deleted: d.String()})
	}
	return out, nil
}

// uniqueLayers are the layers of image id that no other image uses, top
// first (the order Docker prints them).
func (e *Engine) uniqueLayers(id digest.Digest) ([]digest.Digest, error) {
	imgs, err := e.images.List()
	if err != nil {
		return nil, err
	}
	used := map[digest.Digest]bool{}
	var mine []digest.Digest
	for _, img := range imgs {
		for _, d := range img.Config.RootFS.DiffIDs {
			if img.ID == id {
				mine = append(mine, d)
			} else {
				used[d] = true
			}
		}
	}
	var out []digest.Digest
	seen := map[digest.Digest]bool{}
	for i := len(mine) - 1; i >= 0; i-- {
		if d := mine[i]; !used[d] && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out, nil
}

// containersUsing returns the containers created from image id.
func (e *Engine) containersUsing(id digest.Digest) (running, stopped []*container.Container) {
	for _, c := range e.containers.List() {
		if c.ImageID != id.String() {
			continue
		}
		if c.State.Running() {
			running = append(running, c)
		} else {
			stopped = append(stopped, c)
		}
	}
	return running, stopped
}

func firstOf(lists ...[]*container.Container) *container.Container {
	for _, l := range lists {
		if len(l) > 0 {
			return l[0]
		}
	}
	return nil
}

// isImageID reports whether ref names the image by its ID (full, with or
// without "sha256:", or a prefix) rather than by a name.
func isImageID(ref string, id digest.Digest) bool {
	ref = strings.TrimPrefix(ref, "sha256:")
	return len(ref) > 0 && strings.HasPrefix(id.Encoded(), ref)
}

// ImagesPrune is POST /images/prune: without dangling=false only images
// without tags go; with it (docker image prune -a) every image no container
// uses. Images other images are built on stay while their children do.
func (e *Engine) ImagesPrune(ctx context.Context, filters map[string][]string) (*apiimage.PruneReport, error) {
	for k := range filters {
		switch k {
		case "dangling", "label":
		default:
			return nil, errdefs.InvalidParameter("invalid filter '%s'", k)
		}
	}
	e.removal.Lock()
	defer e.removal.Unlock()
	danglingOnly := true
	if v := filters["dangling"]; len(v) > 0 && (v[0] == "false" || v[0] == "0") {
		danglingOnly = false
	}
	imgs, err := e.images.List()
	if err != nil {
		return nil, err
	}
	report := &apiimage.PruneReport{ImagesDeleted: []apiimage.DeleteResponse{}}
	for _, img := range imgs {
		if err := ctx.Err(); err != nil {
			return report, err
		}
		if danglingOnly && len(img.RepoTags) > 0 {
			continue
		}
		if !matchLabels(img.Config.Config.Labels, filters["label"]) {
			continue
		}
		if running, stopped := e.containersUsing(img.ID); len(running)+len(stopped) > 0 {
			continue
		}
		if len(e.images.Children(img.ID)) > 0 {
			continue
		}
		size := e.layersSize(img.ID)
		for _, t := range img.RepoTags {
			if _, err := e.images.Untag(t); err != nil {
				return report, err
			}
			e.publishImage("untag", img.ID.String(), img.ID.String())
			report.ImagesDeleted = append(report.ImagesDeleted, apiimage.DeleteResponse{Untagged: t})
		}
		deleted, err := e.deleteImage(img.ID)
		if err != nil {
			return report, fmt.Errorf("pruning %s: %w", img.ID, err)
		}
		report.ImagesDeleted = append(report.ImagesDeleted, deleted...)
		report.SpaceReclaimed += uint64(size)
	}
	e.events.publish(newEvent("image", "prune", "", map[string]string{"reclaimed": strconv.FormatUint(report.SpaceReclaimed, 10)}))
	return report, nil
}

// layersSize is the unpacked size of the layers only image id uses: what
// removing it gives back.
func (e *Engine) layersSize(id digest.Digest) int64 {
	unique, err := e.uniqueLayers(id)
	if err != nil {
		return 0
	}
	var n int64
	for _, d := range unique {
		if s, err := e.layers.Size(d); err == nil {
			n += s
		}
	}
	return n
}

func matchLabels(labels map[string]string, filters []string) bool {
	return allOf(filters, func(v string) bool {
		k, want, hasValue := strings.Cut(v, "=")
		got, ok := labels[k]
		return ok && (!hasValue || got == want)
	})
}

// ImageHistory is GET /images/{name}/history.
func (e *Engine) ImageHistory(ref string) ([]apiimage.HistoryResponseItem, error) {
	if _, err := e.image(ref); err != nil {
		return nil, err
	}
	rows, err := e.images.History(ref)
	if err != nil {
		return nil, err
	}
	out := make([]apiimage.HistoryResponseItem, 0, len(rows))
	for _, r := range rows {
		out = append(out, apiimage.HistoryResponseItem{
			ID:        r.ID,
			Created:   r.Created.Unix(),
			CreatedBy: r.CreatedBy,
			Tags:      r.Tags,
			Size:      r.Size,
			Comment:   r.Comment,
		})
	}
	return out, nil
}
