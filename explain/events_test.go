package explain

import (
	"testing"

	"github.com/moby/moby/api/types/events"
)

func TestEvents(t *testing.T) {
	ev := func(typ events.Type, action string, attrs map[string]string) events.Message {
		return events.Message{Type: typ, Action: events.Action(action), Actor: events.Actor{ID: "4f2a9c1b7d3e", Attributes: attrs}}
	}
	tests := []struct {
		name string
		msgs []events.Message
	}{
		{"none", nil},
		{"run_exec_kill", []events.Message{
			ev(events.VolumeEventType, "create", map[string]string{"driver": "local"}),
			ev(events.ContainerEventType, "create", map[string]string{"name": "web"}),
			ev(events.NetworkEventType, "connect", map[string]string{"name": "bridge"}),
			ev(events.VolumeEventType, "mount", map[string]string{"driver": "local"}),
			ev(events.ContainerEventType, "start", map[string]string{"name": "web"}),
			ev(events.ContainerEventType, "exec_create: sh -c date", map[string]string{"execID": "e1"}),
			ev(events.ContainerEventType, "exec_start: sh -c date", map[string]string{"execID": "e1"}),
			ev(events.ContainerEventType, "exec_die", map[string]string{"exitCode": "0"}),
			ev(events.ContainerEventType, "kill", map[string]string{"signal": "9"}),
			ev(events.ContainerEventType, "die", map[string]string{"exitCode": "137"}),
		}},
		{"one_image_tag", []events.Message{ev(events.ImageEventType, "tag", map[string]string{"name": "web:1.0"})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Events(tt.msgs)) })
	}
}
