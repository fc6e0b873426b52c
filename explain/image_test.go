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
	tests := []struct {
		name string
		list []image.Summary
	}{
		{"with_dangling", f.images},
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
	tests := []struct {
		name string
		img  image.InspectResponse
		ref  string
	}{
		{"with_cmd", f.imported, "mi-rootfs:v1"},
		{"without_cmd", noCmd, "mi-rootfs:v1"},
		{"untagged", untagged, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Import(tt.img, tt.ref)) })
	}
}

func TestLabInit(t *testing.T) {
	f := loadFixtures(t)
	t.Run("busybox", func(t *testing.T) { assertGolden(t, LabInit(f.busybox, "/usr/bin/busybox")) })
}
