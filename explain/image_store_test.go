package explain

import (
	"testing"
	"time"

	"github.com/moby/moby/api/types/image"
)

// historyNow is three minutes after the newest row of history_app.json.
var historyNow = time.Unix(1764320730+3*60, 0)

func TestTag(t *testing.T) {
	f := loadFixtures(t)
	untagged := f.busybox
	untagged.RepoTags = nil
	old := f.app
	tests := []struct {
		name     string
		src      image.InspectResponse
		target   string
		dangling *image.InspectResponse
	}{
		{"second_name", f.busybox, "mio/busybox:1.0", nil},
		{"implied_latest_for_registry", f.busybox, "localhost:5000/busybox", nil},
		{"moves_tag_leaves_dangling", f.busybox, "web:latest", &old},
		{"names_a_dangling_image", untagged, "rescatada:1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Tag(tt.src, tt.target, tt.dangling)) })
	}
}

func TestRmi(t *testing.T) {
	f := loadFixtures(t)
	tests := []struct {
		name   string
		refs   []string
		before []image.InspectResponse
		items  []image.DeleteResponse
	}{
		{"untag_only", []string{"web:1"}, []image.InspectResponse{f.app},
			[]image.DeleteResponse{{Untagged: "web:1"}}},
		{"delete_with_own_layers", []string{"web:1", "web:latest"}, []image.InspectResponse{f.app, f.app},
			[]image.DeleteResponse{{Untagged: "web:1"}, {Untagged: "web:latest"}, {Deleted: f.app.ID},
				{Deleted: "sha256:8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041"}, {Deleted: "sha256:2804bad6fe94a55f18b2b37e300919a5fd517b95aa81e95db574c0ba069a3740"}}},
		{"delete_image_store_only", []string{"busybox"}, []image.InspectResponse{f.busybox},
			[]image.DeleteResponse{{Untagged: "busybox:latest"}, {Untagged: "busybox@" + busyboxDigest}, {Deleted: f.busybox.ID}}},
		{"two_images", []string{"busybox", "mi-rootfs:v1"}, []image.InspectResponse{f.busybox, f.imported},
			[]image.DeleteResponse{{Untagged: "busybox:latest"}, {Deleted: f.busybox.ID}, {Untagged: "mi-rootfs:v1"}, {Deleted: f.imported.ID}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Rmi(tt.refs, tt.before, nil, tt.items)) })
	}
}

func TestHistory(t *testing.T) {
	f := loadFixtures(t)
	rows := loadJSON[[]image.HistoryResponseItem](t, "history_app.json")
	imported := []image.HistoryResponseItem{{ID: f.imported.ID, Created: 1764320000, Size: f.imported.Size, Comment: "Imported from -", Tags: f.imported.RepoTags}}
	tests := []struct {
		name string
		img  image.InspectResponse
		rows []image.HistoryResponseItem
	}{
		{"pulled_then_built", f.app, rows},
		{"imported", f.imported, imported},
		{"no_rows", f.busybox, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, historyAt(tt.img, tt.rows, historyNow)) })
	}
}

func TestInstruction(t *testing.T) {
	tests := []struct{ in, want string }{
		{`/bin/sh -c #(nop)  CMD ["sh"]`, `CMD ["sh"]`},
		{`/bin/sh -c #(nop) ADD file:6d2b0e4c8a1f in / `, `ADD file:6d2b0e4c8a1f in /`},
		{`/bin/sh -c apk add --no-cache curl`, `RUN apk add --no-cache curl`},
		{`|1 VERSION=2 /bin/sh -c make`, `RUN make`},
		{`RUN /bin/sh -c echo hola # buildkit`, `RUN /bin/sh -c echo hola`},
		{`CMD ["sh"]`, `CMD ["sh"]`},
		{``, ``},
		{`/bin/sh -c echo 0123456789012345678901234567890123456789012345`, `RUN echo 01234567890123456789012345678901234567…`},
	}
	for _, tt := range tests {
		if got := instruction(tt.in); got != tt.want {
			t.Errorf("instruction(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestImagePrune(t *testing.T) {
	f := loadFixtures(t)
	dangling := image.PruneReport{
		ImagesDeleted:  []image.DeleteResponse{{Deleted: f.images[2].ID}, {Deleted: "sha256:ced2128f3bc92a5720f7abd73b8babcc1515866551349b15db52736553e30f8f"}},
		SpaceReclaimed: uint64(f.images[2].Size),
	}
	all := image.PruneReport{
		ImagesDeleted:  []image.DeleteResponse{{Untagged: "web:1"}, {Untagged: "web:latest"}, {Deleted: f.images[1].ID}, {Deleted: f.images[2].ID}},
		SpaceReclaimed: uint64(f.images[1].Size + f.images[2].Size),
	}
	tests := []struct {
		name string
		r    image.PruneReport
		all  bool
	}{
		{"dangling", dangling, false},
		{"all_unused", all, true},
		{"nothing", image.PruneReport{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, ImagePrune(tt.r, tt.all)) })
	}
}

func TestSave(t *testing.T) {
	f := loadFixtures(t)
	tests := []struct {
		name  string
		path  string
		imgs  []image.InspectResponse
		bytes int64
	}{
		{"shared_layer", "imgs.tar", []image.InspectResponse{f.busybox, f.app}, 4546560},
		{"stdout", "", []image.InspectResponse{f.busybox}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Save(tt.path, tt.imgs, tt.bytes)) })
	}
}

func TestLoad(t *testing.T) {
	f := loadFixtures(t)
	old := f.imported // the image web:latest named before the load
	old.RepoTags = nil
	tests := []struct {
		name     string
		lines    []string
		imgs     []image.InspectResponse
		dangling []image.InspectResponse
	}{
		{"two_names", []string{"Loaded image: busybox:latest", "Loaded image: web:1"}, []image.InspectResponse{f.busybox, f.app}, nil},
		{"moved_tag", []string{"Loaded image: web:latest\n"}, []image.InspectResponse{f.app}, []image.InspectResponse{old}},
		{"without_name", []string{"Loaded image ID: " + f.imported.ID}, []image.InspectResponse{f.imported}, nil},
		{"several_dangling", []string{"Loaded image: busybox:latest", "Loaded image: web:1"}, []image.InspectResponse{f.busybox, f.app}, []image.InspectResponse{old, f.imported}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Load(tt.lines, tt.imgs, tt.dangling)) })
	}
}
