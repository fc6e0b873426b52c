package container

import (
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// EventHook receives the container events only the manager sees happen:
// start (also a restart policy's), kill (attribute signal), detach,
// exec_start and exec_die (attributes execID, exitCode). It is called with
// a copy of the container's record and with the manager's lock held, so it
// must not call back into the manager; the lock keeps the events of one
// container in the order they happened (a kill before its die).
type EventHook func(c *Container, action string, attrs map[string]string)

// SetEventHook sets the event hook.
func (m *Manager) SetEventHook(fn EventHook) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.eventHook = fn
}

// notifyEvent calls the event hook. Callers hold m.mu.
func (m *Manager) notifyEvent(e *entry, action string, attrs map[string]string) {
	if m.eventHook != nil {
		m.eventHook(e.c.clone(), action, attrs)
	}
}

// signalAttrs are a kill event's attributes: the signal's number, as
// Docker gives it.
func signalAttrs(sig syscall.Signal) map[string]string {
	return map[string]string{"signal": strconv.Itoa(int(sig))}
}

// execAction is Docker's action for exec_create and exec_start events:
// the prefix, a colon and the command ("exec_start: sh -c date").
func execAction(prefix string, cmd []string) string {
	return prefix + ": " + cmd[0] + " " + strings.Join(cmd[1:], " ")
}

// ExecAction is the exec_create action of an exec's command.
func ExecAction(cmd []string) string { return execAction("exec_create", cmd) }

// ExecIDs are the IDs of a container's exec instances that have not
// exited (created, or running), as Docker's inspect lists them, in the
// order they were created.
func (m *Manager) ExecIDs(containerID string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var recs []*execRecord
	for _, rec := range m.execs().byID {
		if rec.containerID == containerID && rec.exitCode == nil {
			recs = append(recs, rec)
		}
	}
	if len(recs) == 0 {
		return nil
	}
	slices.SortFunc(recs, func(a, b *execRecord) int { return a.created.Compare(b.created) })
	ids := make([]string, len(recs))
	for i, rec := range recs {
		ids[i] = rec.id
	}
	return ids
}
