package engine

import (
	"context"
	"slices"
	"sync"
	"time"

	"bolsillo/engine/backend"
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
// attributes carry the name and image, plus extra ones (exitCode on die).
func containerEvent(action, id, name, image string, extra map[string]string) backend.Event {
	now := time.Now()
	attrs := map[string]string{"name": name, "image": image}
	for k, v := range extra {
		attrs[k] = v
	}
	return backend.Event{
		Status:   action,
		ID:       id,
		From:     image,
		Type:     "container",
		Action:   action,
		Actor:    backend.EventActor{ID: id, Attributes: attrs},
		Scope:    "local",
		Time:     now.Unix(),
		TimeNano: now.UnixNano(),
	}
}

// publishContainer publishes a container event about ref; an unknown
// container publishes nothing.
func (e *Engine) publishContainer(action, ref string, extra map[string]string) {
	c, err := e.containers.Get(ref)
	if err != nil {
		return
	}
	e.events.publish(containerEvent(action, c.ID, c.Name, c.Config.Image, extra))
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

// matchEvent applies GET /events's filters: type, event (or action),
// container (ID, ID prefix or name).
func matchEvent(ev backend.Event, filters map[string][]string) bool {
	match := func(key string, ok func(string) bool) bool {
		vals := filters[key]
		return len(vals) == 0 || slices.ContainsFunc(vals, ok)
	}
	return match("type", func(v string) bool { return v == ev.Type }) &&
		match("event", func(v string) bool { return v == ev.Action }) &&
		match("action", func(v string) bool { return v == ev.Action }) &&
		match("container", func(v string) bool {
			return v == ev.Actor.ID || v == ev.Actor.Attributes["name"] || (len(v) >= 3 && len(v) < len(ev.Actor.ID) && ev.Actor.ID[:len(v)] == v)
		})
}

// withEvent runs op on container ref and, when it succeeds, publishes the
// container event action. The record is read before op, so a destroyed
// container still has a name in its event; a renamed one gets moby's
// oldName attribute.
func (e *Engine) withEvent(action, ref string, op func() error) error {
	before, err := e.containers.Get(ref)
	if err != nil {
		return op() // op reports the unknown container
	}
	if err := op(); err != nil {
		return err
	}
	name, extra := before.Name, map[string]string(nil)
	if action == "rename" {
		if after, err := e.containers.Get(before.ID); err == nil {
			name = after.Name
		}
		extra = map[string]string{"oldName": "/" + before.Name}
	}
	e.events.publish(containerEvent(action, before.ID, name, before.Config.Image, extra))
	return nil
}
