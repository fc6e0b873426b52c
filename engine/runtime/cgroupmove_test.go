package runtime

import (
	"os"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/cgroups"
)

func TestMoveSelfInPlace(t *testing.T) {
	requireRoot(t)
	if cgroups.IsCgroup2UnifiedMode() {
		t.Skip("PrimeCgroupMove moves nothing on cgroup v2")
	}
	before, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	if err := moveSelfInPlace(); err != nil {
		t.Fatalf("moveSelfInPlace() error = %v", err)
	}
	after, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Errorf("the process changed cgroups:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestPrimeCgroupMoveOneAtATime(t *testing.T) {
	if cgroups.IsCgroup2UnifiedMode() {
		t.Skip("PrimeCgroupMove moves nothing on cgroup v2")
	}
	var (
		mu      sync.Mutex
		calls   int
		release = make(chan struct{})
		done    = make(chan struct{}, 10)
	)
	moveInPlace = func() error {
		mu.Lock()
		calls++
		mu.Unlock()
		<-release
		done <- struct{}{}
		return nil
	}
	t.Cleanup(func() { moveInPlace = moveSelfInPlace })

	// A burst while the first move waits: one move.
	for range 5 {
		PrimeCgroupMove()
	}
	close(release)
	<-done
	// The flag is cleared after the move returns, on its own goroutine.
	deadline := time.Now().Add(5 * time.Second)
	for cgroupMoveInFlight.Load() {
		if time.Now().After(deadline) {
			t.Fatal("the move in flight never ended")
		}
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	if calls != 1 {
		t.Errorf("a burst of 5 made %d moves, want 1", calls)
	}
	mu.Unlock()

	// Once it has ended, the next request makes a move of its own.
	PrimeCgroupMove()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if calls != 2 {
		t.Errorf("after the first move ended: %d moves, want 2", calls)
	}
}
