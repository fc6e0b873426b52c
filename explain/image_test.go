package explain

import (
	"testing"

	"github.com/moby/moby/api/types/image"
)

func TestImageInspect(t *testing.T) {
	f := loadFixtures(t)
	dangling := f.busybox
	dangling.RepoTags = nil
	tests := []struct {
		name string
		img  image.InspectResponse
	}{
		{"one_layer", f.busybox},
		{"three_layers_entrypoint", f.app},
		{"dangling", dangling},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, ImageInspect(tt.img)) })
	}
}

func TestImages(t *testing.T) {
	f := loadFixtures(t)
	// Older daemons list a dangling image with the "<none>:<none>" placeholder.
	placeholder := []image.Summary{f.images[0], f.images[2]}
	placeholder[1].RepoTags = []string{"<none>:<none>"}
	// web:2 was built after web:latest: latest is not the newest.
	newer := append([]image.Summary{}, f.images[:2]...)
	newer = append(newer, image.Summary{ID: "sha256:3f1d0a9c2b7e4d6f8a0c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f", RepoTags: []string{"web:2"}, Created: f.images[1].Created + 3600, Size: 2318336})
	tests := []struct {
		name string
		list []image.Summary
	}{
		{"with_dangling", f.images},
		{"latest_not_newest", newer},
		{"no_dangling", f.images[:1]},
		{"placeholder_tag", placeholder},
		{"empty", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Images(tt.list)) })
	}
}

func TestImport(t *testing.T) {
	f := loadFixtures(t)
	noCmd := f.imported
	noCmd.Config = nil
	untagged := f.imported
	untagged.RepoTags = nil
	old := f.busybox
	tests := []struct {
		name     string
		img      image.InspectResponse
		ref      string
		dangling *image.InspectResponse
	}{
		{"with_cmd", f.imported, "mi-rootfs:v1", nil},
		{"without_cmd", noCmd, "mi-rootfs:v1", nil},
		{"untagged", untagged, "", nil},
		{"tag_moved", f.imported, "mi-rootfs:v1", &old},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Import(tt.img, tt.ref, tt.dangling)) })
	}
}

func TestLabInit(t *testing.T) {
	f := loadFixtures(t)
	t.Run("busybox", func(t *testing.T) { assertGolden(t, LabInit(f.busybox, "/usr/bin/busybox")) })
}
