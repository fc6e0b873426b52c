package container

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"bolsillo/engine/errdefs"
)

// Rename gives a container another name. The old name is free at once.
func (m *Manager) Rename(ref, newName string) error {
	newName = strings.TrimPrefix(newName, "/")
	if newName == "" {
		return errdefs.InvalidParameter("Neither old nor new names may be empty")
	}
	if !validName().MatchString(newName) {
		return errdefs.InvalidParameter("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", newName)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, err := m.lookup(ref)
	if err != nil {
		return err
	}
	c := e.c
	if c.Name == newName {
		return errdefs.InvalidParameter("Renaming a container with the same name as its current name")
	}
	if id, taken := m.names[newName]; taken {
		return errdefs.Conflict("Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.", newName, id)
	}
	old := c.Name
	c.Name = newName
	if err := c.save(); err != nil {
		c.Name = old
		return err
	}
	delete(m.names, old)
	m.names[newName] = c.ID
	return nil
}

// PruneResult is what Prune removed.
type PruneResult struct {
	Removed        []string // container IDs
	SpaceReclaimed uint64   // bytes of their writable layers
}

// Prune removes every container that is not running (created or exited)
// and matches keep-filter ok.
func (m *Manager) Prune(ctx context.Context, ok func(*Container) bool) (PruneResult, error) {
	var res PruneResult
	for _, c := range m.List() {
		if c.State.Running() || c.State.Status == StatusRestarting || (ok != nil && !ok(c)) {
			continue
		}
		size := dirSize(c.UpperDir())
		if err := m.Remove(ctx, c.ID, false); err != nil {
			if errdefs.IsNotFound(err) || errdefs.IsConflict(err) {
				continue // removed or started meanwhile
			}
			return res, err
		}
		res.Removed = append(res.Removed, c.ID)
		res.SpaceReclaimed += uint64(size)
	}
	return res, nil
}

// dirSize is the bytes of the regular files under dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
