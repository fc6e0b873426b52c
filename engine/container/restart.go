package container

import (
	"time"

	"github.com/moby/moby/api/types/container"

	"bolsillo/engine/errdefs"
)

// Restart policies bring a container back after its main process ends, as
// Docker's daemon does: "always" and "unless-stopped" always, "on-failure"
// when the exit code is not 0 (at most MaximumRetryCount times when set),
// never after a stop or kill asked for by a user. The delay before each
// restart doubles from 100 ms up to a minute, and starts again from 100 ms
// when the container had run for 10 s.
const (
	restartMinDelay = 100 * time.Millisecond
	restartMaxDelay = time.Minute
	restartResetRun = 10 * time.Second
)

// StatusRestarting is a container waiting for its restart policy to start
// it again.
const StatusRestarting Status = "restarting"

// validateRestartPolicy rejects what Docker rejects at create.
func validateRestartPolicy(hc *container.HostConfig) error {
	p := hc.RestartPolicy
	switch p.Name {
	case "", container.RestartPolicyDisabled, container.RestartPolicyAlways, container.RestartPolicyUnlessStopped:
		if p.MaximumRetryCount != 0 {
			return errdefs.InvalidParameter("invalid restart policy: maximum retry count can only be used with 'on-failure'")
		}
	case container.RestartPolicyOnFailure:
		if p.MaximumRetryCount < 0 {
			return errdefs.InvalidParameter("invalid restart policy: maximum retry count cannot be negative")
		}
	default:
		return errdefs.InvalidParameter("invalid restart policy: unknown policy '%s'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'", p.Name)
	}
	if hc.AutoRemove && !p.IsNone() {
		return errdefs.InvalidParameter("can't create 'AutoRemove' container with restart policy")
	}
	return nil
}

// shouldRestart decides, at the end of a run, whether the policy restarts
// the container. Callers hold m.mu.
func shouldRestart(c *Container, manuallyStopped bool, exitCode int) bool {
	if manuallyStopped || c.HostConfig.AutoRemove {
		return false
	}
	p := c.HostConfig.RestartPolicy
	switch p.Name {
	case container.RestartPolicyAlways, container.RestartPolicyUnlessStopped:
		return true
	case container.RestartPolicyOnFailure:
		return exitCode != 0 && (p.MaximumRetryCount == 0 || c.RestartCount < p.MaximumRetryCount)
	}
	return false
}

// scheduleRestart starts the container again after the policy's delay.
// Callers hold m.mu.
func (m *Manager) scheduleRestart(e *entry, ranFor time.Duration) {
	if ranFor >= restartResetRun || e.restartDelay == 0 {
		e.restartDelay = restartMinDelay
	} else {
		e.restartDelay = min(2*e.restartDelay, restartMaxDelay)
	}
	c := e.c
	c.RestartCount++
	c.State.Status = StatusRestarting
	_ = c.save()
	id := c.ID
	e.restartTimer = time.AfterFunc(e.restartDelay, func() {
		m.mu.Lock()
		cur, ok := m.byID[id]
		pending := ok && cur == e && e.c.State.Status == StatusRestarting
		if pending {
			e.restartTimer = nil
		}
		m.mu.Unlock()
		if pending {
			_ = m.startPolicy(id)
		}
	})
}

// startPolicy is a start made by the restart policy: unlike a user's
// start it keeps RestartCount.
func (m *Manager) startPolicy(id string) error {
	return m.start(id, true)
}

// cancelRestart stops a pending policy restart and leaves the container
// exited. Callers hold m.mu.
func (m *Manager) cancelRestart(e *entry) bool {
	if e.restartTimer == nil {
		return false
	}
	e.restartTimer.Stop()
	e.restartTimer = nil
	if e.c.State.Status == StatusRestarting {
		e.c.State.Status = StatusExited
		_ = e.c.save()
	}
	return true
}
