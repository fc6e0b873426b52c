package engine

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/mount"

	"bolsillo/engine/backend"
	"bolsillo/engine/container"
	"bolsillo/engine/volume"
	"bolsillo/internal/imageref"
)

// eventLogSize is how many past events GET /events?since= can replay.
const eventLogSize = 256

// eventBus fans the daemon's events out to GET /events subscribers and
// keeps the most recent ones for replay. It is safe for concurrent use.
type eventBus struct {
	mu   sync.Mutex
	log  []backend.Event
	subs map[chan backend.Event]struct{}
}

func newEventBus() *eventBus {
	return &eventBus{subs: make(map[chan backend.Event]struct{})}
}

// publish records ev and hands it to every subscriber. A subscriber that
// is not keeping up loses the event rather than blocking the daemon.
func (b *eventBus) publish(ev backend.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.log = append(b.log, ev)
	if len(b.log) > eventLogSize {
		b.log = slices.Delete(b.log, 0, len(b.log)-eventLogSize)
	}
	for ch := range b.subs {
		select {
		case ch <- ev:
		default:
		}
	}
}

// subscribe returns the recorded events and a channel of the next ones;
// cancel ends the subscription.
func (b *eventBus) subscribe() (past []backend.Event, ch chan backend.Event, cancel func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch = make(chan backend.Event, 64)
	b.subs[ch] = struct{}{}
	return slices.Clone(b.log), ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.subs, ch)
	}
}

// containerEvent builds a container event as moby does: the actor's
// attributes are the container's labels, its name and image, plus extra
// ones (exitCode on die, signal on kill, ...).
func containerEvent(action string, c *container.Container, extra map[string]string) backend.Event {
	attrs := map[string]string{}
	maps.Copy(attrs, c.Config.Labels)
	maps.Copy(attrs, extra)
	if c.Config.Image != "" {
		attrs["image"] = c.Config.Image
	}
	attrs["name"] = c.Name
	return newEvent("container", action, c.ID, attrs)
}

// newEvent is an event of any type, stamped now. Container and image
// events also get the fields older clients read (status, id, from), as
// moby fills them.
func newEvent(typ, action, id string, attrs map[string]string) backend.Event {
	now := time.Now()
	if attrs == nil {
		attrs = map[string]string{}
	}
	ev := backend.Event{
		Type:     typ,
		Action:   action,
		Actor:    backend.EventActor{ID: id, Attributes: attrs},
		Scope:    "local",
		Time:     now.Unix(),
		TimeNano: now.UnixNano(),
	}
	switch typ {
	case "container":
		ev.Status, ev.ID, ev.From = action, id, attrs["image"]
	case "image":
		ev.Status, ev.ID = action, id
	}
	return ev
}

// publishContainer publishes a container event about ref; an unknown
// container publishes nothing.
func (e *Engine) publishContainer(action, ref string, extra map[string]string) {
	c, err := e.containers.Get(ref)
	if err != nil {
		return
	}
	e.events.publish(containerEvent(action, c, extra))
}

// publishImage publishes an image event as moby does: the actor is id
// (an image ID, or the reference pulled or pushed), its attributes the
// image's labels and name.
func (e *Engine) publishImage(action, id, name string) {
	attrs := map[string]string{}
	if img, err := e.images.Get(id); err == nil {
		maps.Copy(attrs, img.Config.Config.Labels)
	}
	attrs["name"] = name
	e.events.publish(newEvent("image", action, id, attrs))
}

// volumeEvent is a volume event: the actor is the volume's name.
func volumeEvent(action, name string, extra map[string]string) backend.Event {
	attrs := map[string]string{"driver": volume.Driver}
	maps.Copy(attrs, extra)
	return newEvent("volume", action, name, attrs)
}

// volumeMountEvents are the mount or unmount events of c's volumes:
// moby's attributes container, destination, read/write and propagation
// on mount, container on unmount.
func volumeMountEvents(action string, c *container.Container) []backend.Event {
	var out []backend.Event
	for _, mp := range c.MountPoints {
		if mp.Type != string(mount.TypeVolume) {
			continue
		}
		attrs := map[string]string{"container": c.ID}
		if action == "mount" {
			attrs["destination"] = mp.Destination
			attrs["read/write"] = strconv.FormatBool(mp.RW)
			attrs["propagation"] = "" // a volume has none, as in moby
		}
		out = append(out, volumeEvent(action, mp.Name, attrs))
	}
	return out
}

// networkEvent is a network event about a container on network name,
// whose ID is networkID: moby's attributes container, name and type.
func networkEvent(action, networkID, name, containerID string) backend.Event {
	return newEvent("network", action, networkID, map[string]string{
		"container": containerID,
		"name":      name,
		"type":      "bridge",
	})
}

// managerEvent publishes an event the container manager reports; a start
// is preceded by the mount events of the container's volumes, as in moby.
func (b *eventBus) managerEvent(c *container.Container, action string, attrs map[string]string) {
	if action == "start" {
		for _, ev := range volumeMountEvents("mount", c) {
			b.publish(ev)
		}
	}
	b.publish(containerEvent(action, c, attrs))
}

// exitEvents publishes what a container's exit brings: oom when the OOM
// killer struck, the unmount of its volumes, then die with the exit code
// and how many seconds it ran (moby's execDuration).
func (b *eventBus) exitEvents(c *container.Container) {
	if c.State.OOMKilled {
		b.publish(containerEvent("oom", c, nil))
	}
	for _, ev := range volumeMountEvents("unmount", c) {
		b.publish(ev)
	}
	ran := 0
	if !c.State.StartedAt.IsZero() && c.State.FinishedAt.After(c.State.StartedAt) {
		ran = int(c.State.FinishedAt.Sub(c.State.StartedAt).Seconds())
	}
	b.publish(containerEvent("die", c, map[string]string{
		"exitCode":     strconv.Itoa(c.State.ExitCode),
		"execDuration": strconv.Itoa(ran),
	}))
}

// Events streams the daemon's events matching f to fn: first the recorded
// ones since f.Since (when set), then new ones until f.Until, ctx ends or
// fn fails.
func (e *Engine) Events(ctx context.Context, f backend.EventFilter, fn func(backend.Event) error) error {
	past, ch, cancel := e.events.subscribe()
	defer cancel()
	if !f.Since.IsZero() {
		for _, ev := range past {
			if time.Unix(0, ev.TimeNano).Before(f.Since) {
				continue
			}
			if !f.Until.IsZero() && time.Unix(0, ev.TimeNano).After(f.Until) {
				return nil
			}
			if matchEvent(ev, f.Filters) {
				if err := fn(ev); err != nil {
					return err
				}
			}
		}
	}
	var until <-chan time.Time
	if !f.Until.IsZero() {
		d := time.Until(f.Until)
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		defer t.Stop()
		until = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-until:
			return nil
		case ev := <-ch:
			if matchEvent(ev, f.Filters) {
				if err := fn(ev); err != nil {
					return err
				}
			}
		}
	}
}

// matchEvent applies GET /events's filters as moby does: every key given
// must match. type, event (or action, exact, but exec_create, exec_start
// and health_status also match the actions they begin), container, volume
// and network (the actor's ID, a prefix of it, or its name), image (an
// image event's actor or name, a container event's image, with or without
// the tag) and label (key or key=value among the attributes).
func matchEvent(ev backend.Event, filters map[string][]string) bool {
	match := func(key string, ok func(string) bool) bool {
		vals := filters[key]
		return len(vals) == 0 || slices.ContainsFunc(vals, ok)
	}
	action := func(v string) bool {
		if v == "exec_create" || v == "exec_start" || v == "health_status" {
			return strings.HasPrefix(ev.Action, v)
		}
		return v == ev.Action
	}
	actor := func(v string) bool {
		return v != "" && (strings.HasPrefix(ev.Actor.ID, v) || strings.HasPrefix(ev.Actor.Attributes["name"], v))
	}
	image := func(v string) bool {
		name := ev.Actor.Attributes["image"]
		if ev.Type == "image" {
			name = ev.Actor.Attributes["name"]
		}
		for _, s := range []string{ev.Actor.ID, name} {
			if s != "" && (v == s || v == withoutTag(s)) {
				return true
			}
		}
		return false
	}
	return match("type", func(v string) bool { return v == ev.Type }) &&
		match("event", action) && match("action", action) &&
		match("container", actor) && match("volume", actor) && match("network", actor) &&
		match("image", image) &&
		allOf(filters["label"], func(v string) bool {
			k, val, hasVal := strings.Cut(v, "=")
			got, ok := ev.Actor.Attributes[k]
			return ok && (!hasVal || got == val)
		})
}

// familiarTagged is how moby names a tag in events: the familiar
// reference with its tag, latest when it has none ("web:latest").
func familiarTagged(ref string) string {
	n, err := imageref.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return imageref.FamiliarString(imageref.TagNameOnly(n))
}

// withoutTag is a reference's familiar name without tag or digest
// ("busybox:latest" is "busybox"); what does not parse stays as it is.
func withoutTag(ref string) string {
	n, err := imageref.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return imageref.FamiliarName(n)
}

// withEvent runs op on container ref and, when it succeeds, publishes the
// container event action. The record is read before op, so a destroyed
// container still has its name and labels in its event; a renamed one gets
// moby's oldName attribute.
func (e *Engine) withEvent(action, ref string, op func() error) error {
	before, err := e.containers.Get(ref)
	if err != nil {
		return op() // op reports the unknown container
	}
	if err := op(); err != nil {
		return err
	}
	c, extra := before, map[string]string(nil)
	if action == "rename" {
		if after, err := e.containers.Get(before.ID); err == nil {
			c = after
		}
		extra = map[string]string{"oldName": "/" + before.Name}
	}
	e.events.publish(containerEvent(action, c, extra))
	return nil
}
