package engine

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine/backend"
	"bolsillo/engine/container"
)

func testContainer() *container.Container {
	return &container.Container{
		ID:   "4f2a9c1b7d3e8a6f0b5c2d9e1a7f3b8c6d0e4a2f9b1c7d5e3a8f6b0c2d4e1a9f",
		Name: "web",
		Config: &apicontainer.Config{
			Image:  "busybox:latest",
			Labels: map[string]string{"curso": "docker", "name": "ignored"},
		},
		MountPoints: []container.MountPoint{
			{Type: "volume", Name: "datos", Destination: "/data", RW: true},
			{Type: "bind", Source: "/srv", Destination: "/srv"},
			{Type: "volume", Name: "cache", Destination: "/cache"},
		},
	}
}

func TestContainerEvent(t *testing.T) {
	c := testContainer()
	ev := containerEvent("kill", c, map[string]string{"signal": "9"})
	want := map[string]string{"curso": "docker", "name": "web", "image": "busybox:latest", "signal": "9"}
	if !reflect.DeepEqual(ev.Actor.Attributes, want) {
		t.Errorf("attributes = %v, want %v", ev.Actor.Attributes, want)
	}
	if ev.Type != "container" || ev.Action != "kill" || ev.Actor.ID != c.ID || ev.Scope != "local" {
		t.Errorf("event = %+v", ev)
	}
	if ev.Status != "kill" || ev.ID != c.ID || ev.From != "busybox:latest" {
		t.Errorf("legacy fields = %q %q %q", ev.Status, ev.ID, ev.From)
	}
	if c.Config.Labels["signal"] != "" || c.Config.Labels["name"] != "ignored" {
		t.Error("the container's labels were changed")
	}
	vol := volumeEvent("create", "datos", nil)
	if vol.Status != "" || vol.ID != "" || vol.From != "" || vol.Actor.Attributes["driver"] != "local" {
		t.Errorf("volume event = %+v", vol)
	}
}

// actions lists the events' types and actions as `docker events --format
// '{{.Type}} {{.Action}}'` prints them.
func actions(evs []backend.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Type+" "+ev.Action)
	}
	return out
}

func TestManagerEvents(t *testing.T) {
	b := newEventBus()
	c := testContainer()
	b.managerEvent(c, "start", nil)
	c.State.ExitCode = 137
	c.State.OOMKilled = true
	c.State.StartedAt = time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	c.State.FinishedAt = c.State.StartedAt.Add(90*time.Second + 500*time.Millisecond)
	b.exitEvents(c)
	past, _, cancel := b.subscribe()
	cancel()
	want := []string{
		"volume mount", "volume mount", "container start",
		"container oom", "volume unmount", "volume unmount", "container die",
	}
	if got := actions(past); !reflect.DeepEqual(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
	mount := past[0].Actor
	wantMount := map[string]string{"driver": "local", "container": c.ID, "destination": "/data", "read/write": "true", "propagation": ""}
	if mount.ID != "datos" || !reflect.DeepEqual(mount.Attributes, wantMount) {
		t.Errorf("mount actor = %+v", mount)
	}
	if ro := past[1].Actor.Attributes["read/write"]; ro != "false" {
		t.Errorf("read/write of a read-only volume = %q", ro)
	}
	unmount := past[4].Actor.Attributes
	if !reflect.DeepEqual(unmount, map[string]string{"driver": "local", "container": c.ID}) {
		t.Errorf("unmount attributes = %v", unmount)
	}
	die := past[6].Actor.Attributes
	if die["exitCode"] != "137" || die["execDuration"] != "90" {
		t.Errorf("die attributes = %v", die)
	}
}

func TestMatchEvent(t *testing.T) {
	c := testContainer()
	kill := containerEvent("kill", c, map[string]string{"signal": "15"})
	execStart := containerEvent("exec_start: sh -c date", c, map[string]string{"execID": "e1"})
	tag := newEvent("image", "tag", "sha256:0123abcd", map[string]string{"name": "app:1.0"})
	pull := newEvent("image", "pull", "busybox:latest", map[string]string{"name": "busybox"})
	vol := volumeEvent("mount", "datos", map[string]string{"container": c.ID})
	conn := networkEvent("connect", "a1b2c3d4e5f6", "bridge", c.ID)
	all := []backend.Event{kill, execStart, tag, pull, vol, conn}

	tests := []struct {
		name    string
		filters map[string][]string
		want    []string
	}{
		{"no filter", nil, []string{"container kill", "container exec_start: sh -c date", "image tag", "image pull", "volume mount", "network connect"}},
		{"type", map[string][]string{"type": {"image", "volume"}}, []string{"image tag", "image pull", "volume mount"}},
		{"event exact", map[string][]string{"event": {"kill", "tag"}}, []string{"container kill", "image tag"}},
		{"action is event too", map[string][]string{"action": {"connect"}}, []string{"network connect"}},
		{"exec_start matches its command", map[string][]string{"event": {"exec_start"}}, []string{"container exec_start: sh -c date"}},
		{"other actions are exact", map[string][]string{"event": {"kil"}}, nil},
		{"container by name", map[string][]string{"container": {"web"}}, []string{"container kill", "container exec_start: sh -c date"}},
		{"container by ID prefix", map[string][]string{"container": {"4f2a9c"}}, []string{"container kill", "container exec_start: sh -c date"}},
		{"container by another name", map[string][]string{"container": {"db"}}, nil},
		{"image by name with tag", map[string][]string{"image": {"app:1.0"}}, []string{"image tag"}},
		{"image by name without tag", map[string][]string{"image": {"busybox"}}, []string{"container kill", "container exec_start: sh -c date", "image pull"}},
		{"image by ID", map[string][]string{"image": {"sha256:0123abcd"}}, []string{"image tag"}},
		{"volume", map[string][]string{"volume": {"datos"}}, []string{"volume mount"}},
		{"network by name", map[string][]string{"network": {"bridge"}}, []string{"network connect"}},
		{"network by ID prefix", map[string][]string{"network": {"a1b2"}}, []string{"network connect"}},
		{"label key", map[string][]string{"label": {"curso"}}, []string{"container kill", "container exec_start: sh -c date"}},
		{"label key=value", map[string][]string{"label": {"curso=docker"}}, []string{"container kill", "container exec_start: sh -c date"}},
		{"label wrong value", map[string][]string{"label": {"curso=k8s"}}, nil},
		{"every label must match", map[string][]string{"label": {"curso", "signal=15"}}, []string{"container kill"}},
		{"keys combine", map[string][]string{"type": {"container"}, "event": {"kill", "pull"}}, []string{"container kill"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []backend.Event
			for _, ev := range all {
				if matchEvent(ev, tt.filters) {
					got = append(got, ev)
				}
			}
			if g := actions(got); !reflect.DeepEqual(g, tt.want) {
				t.Errorf("matched %q, want %q", g, tt.want)
			}
		})
	}
}

func TestReferenceNames(t *testing.T) {
	tests := []struct{ ref, tagged, untagged string }{
		{"busybox", "busybox:latest", "busybox"},
		{"docker.io/library/busybox:1.36", "busybox:1.36", "busybox"},
		{"localhost:5000/web:2", "localhost:5000/web:2", "localhost:5000/web"},
		{"NoVale", "NoVale", "NoVale"},
	}
	for _, tt := range tests {
		if got := familiarTagged(tt.ref); got != tt.tagged {
			t.Errorf("familiarTagged(%q) = %q, want %q", tt.ref, got, tt.tagged)
		}
		if got := withoutTag(tt.ref); got != tt.untagged {
			t.Errorf("withoutTag(%q) = %q, want %q", tt.ref, got, tt.untagged)
		}
	}
	if got := container.ExecAction([]string{"ls"}); got != "exec_create: ls " {
		t.Errorf("ExecAction = %q, want Docker's trailing space", got)
	}
}

// TestEventsSinceUntil replays the recorded events from since and stops
// at until, applying the filters to both the past and the new ones.
func TestEventsSinceUntil(t *testing.T) {
	e := &Engine{events: newEventBus()}
	c := testContainer()
	start := time.Now()
	e.events.publish(containerEvent("create", c, nil))
	e.events.publish(volumeEvent("create", "datos", nil))
	e.events.publish(containerEvent("start", c, nil))

	var got []backend.Event
	collect := func(ev backend.Event) error { got = append(got, ev); return nil }
	f := backend.EventFilter{Since: start, Until: time.Now().Add(200 * time.Millisecond), Filters: map[string][]string{"type": {"container"}}}
	go func() {
		time.Sleep(50 * time.Millisecond)
		e.events.publish(containerEvent("die", c, nil))
		e.events.publish(volumeEvent("destroy", "datos", nil))
	}()
	if err := e.Events(context.Background(), f, collect); err != nil {
		t.Fatal(err)
	}
	want := []string{"container create", "container start", "container die"}
	if g := actions(got); !reflect.DeepEqual(g, want) {
		t.Errorf("events = %q, want %q", g, want)
	}

	// A past until ends the stream after the replay.
	got = nil
	f = backend.EventFilter{Since: start, Until: time.Now().Add(-time.Nanosecond)}
	if err := e.Events(context.Background(), f, collect); err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || !strings.HasPrefix(got[4].Action, "destroy") {
		t.Errorf("replay = %q", actions(got))
	}
}
