package explain

import (
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
)

func TestRename(t *testing.T) {
	f := loadFixtures(t)
	got := Rename(f.running, "servidor")
	for _, want := range []string{"`servidor`", "`" + containerName(f.running) + "`", shortID(f.running.ID)} {
		if !strings.Contains(got, want) {
			t.Errorf("Rename lacks %q:\n%s", want, got)
		}
	}
	assertGolden(t, got)
}

func TestWait(t *testing.T) {
	f := loadFixtures(t)
	assertGolden(t, Wait(f.exited))
}

func TestContainerPrune(t *testing.T) {
	tests := []struct {
		name string
		r    container.PruneReport
	}{
		{"none", container.PruneReport{}},
		{"two", container.PruneReport{ContainersDeleted: []string{"a", "b"}, SpaceReclaimed: 2048}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, ContainerPrune(tt.r)) })
	}
}

func TestAttach(t *testing.T) {
	f := loadFixtures(t)
	t.Run("running", func(t *testing.T) { assertGolden(t, Attach(f.running)) })
	t.Run("not_running", func(t *testing.T) { assertGolden(t, AttachNotRunning(f.exited)) })
}
