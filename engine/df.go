package engine

import (
	"slices"

	apicontainer "github.com/moby/moby/api/types/container"
	apivolume "github.com/moby/moby/api/types/volume"
	"github.com/opencontainers/go-digest"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
	"bolsillo/engine/volume"
)

// DiskUsage is GET /system/df: docker system df. types holds the query's
// "type" values (image, container, volume, build-cache); none means all.
//
// Images carry their SharedSize (what of their layers other images use
// too) and Containers (how many containers, of any state, are made from
// them); containers their SizeRw and SizeRootFs; volumes their UsageData:
// the bytes under their directory and how many containers mount them.
func (e *Engine) DiskUsage(types []string) (*backend.DiskUsage, error) {
	want := func(t string) bool { return len(types) == 0 || slices.Contains(types, t) }
	for _, t := range types {
		switch t {
		case "image", "container", "volume", "build-cache":
		default:
			return nil, errdefs.InvalidParameter("unknown object type: %s", t)
		}
	}
	du := &backend.DiskUsage{}
	if want("image") {
		if err := e.imagesDiskUsage(du); err != nil {
			return nil, err
		}
	}
	if want("container") {
		cs, err := e.ContainerList(backend.ListOptions{All: true, Size: true})
		if err != nil {
			return nil, err
		}
		du.Containers = append([]apicontainer.Summary{}, cs...)
	}
	if want("volume") {
		du.Volumes = []apivolume.Volume{}
		for _, v := range e.volumes.List() {
			// The same count as volume prune's reclaimed space.
			size, err := volume.DirSize(v.Mountpoint())
			if err != nil {
				size = -1 // Docker's "unknown"
			}
			out := apiVolume(v)
			out.UsageData = &apivolume.UsageData{Size: size, RefCount: int64(len(e.volumes.Refs(v.Name)))}
			du.Volumes = append(du.Volumes, out)
		}
	}
	if want("build-cache") {
		du.BuildCache = []struct{}{}
	}
	return du, nil
}

// imagesDiskUsage fills du's images, each with its shared size and its
// containers, and LayersSize, each layer counted once.
func (e *Engine) imagesDiskUsage(du *backend.DiskUsage) error {
	imgs, err := e.images.List()
	if err != nil {
		return err
	}
	summaries, err := e.ImageList(backend.ImageListOptions{All: true})
	if err != nil {
		return err
	}
	// How many images hold each layer, and each layer's size.
	holders := map[digest.Digest]int{}
	sizes := map[digest.Digest]int64{}
	layersOf := map[string][]digest.Digest{}
	for _, img := range imgs {
		seen := map[digest.Digest]bool{}
		for _, d := range img.Config.RootFS.DiffIDs {
			if seen[d] {
				continue // an empty layer may come twice in one image
			}
			seen[d] = true
			holders[d]++
			layersOf[img.ID.String()] = append(layersOf[img.ID.String()], d)
			if _, ok := sizes[d]; !ok {
				sizes[d], _ = e.layers.Size(d)
				du.LayersSize += sizes[d]
			}
		}
	}
	uses := map[string]int64{}
	for _, c := range e.containers.List() {
		uses[c.ImageID]++
	}
	for i := range summaries {
		s := &summaries[i]
		var shared int64
		for _, d := range layersOf[s.ID] {
			if holders[d] > 1 {
				shared += sizes[d]
			}
		}
		s.SharedSize = shared
		s.Containers = uses[s.ID]
	}
	du.Images = summaries
	return nil
}
