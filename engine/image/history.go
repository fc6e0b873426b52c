package image

import (
	"slices"
	"time"

	"github.com/opencontainers/go-digest"
)

// MissingID is the ID docker history shows for a row that no local image
// has at its top: the layer came from a registry without the images that
// built it.
const MissingID = "<missing>"

// HistoryEntry is one row of docker history: one entry of the image
// config's history, that is one instruction of the build.
type HistoryEntry struct {
	// ID is the ID of the local image whose top row this is, or MissingID.
	ID string
	// Created is when the instruction ran; zero if the config does not say.
	Created time.Time
	// CreatedBy is the instruction, as the builder recorded it.
	CreatedBy string
	// Tags are the familiar tags of the image ID names, on its row only.
	Tags []string
	// Size is the unpacked size of the layer the instruction created, 0 for
	// instructions that only changed the config (empty_layer).
	Size int64
	// Comment is the history comment: "Imported from -", a commit message.
	Comment string
}

// History returns the rows of docker history for the image ref, newest
// first. The newest row has the image's ID; a row below has the ID of the
// image in its chain of parents whose history ends at that row, and
// MissingID if there is none, which is what Docker shows for images pulled
// from a registry.
func (s *Store) History(ref string) ([]HistoryEntry, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rec, err := s.lookup(ref)
	if err != nil {
		return nil, err
	}

	// The image and its local ancestors, by the index of their top row.
	tops := make(map[int]*record)
	seen := make(map[digest.Digest]bool)
	for r := rec; r != nil && !seen[r.id]; r = s.images[r.parent] {
		seen[r.id] = true
		if n := len(r.config.History); n > 0 {
			if _, ok := tops[n-1]; !ok {
				tops[n-1] = r
			}
		}
		if r.parent == "" {
			break
		}
	}

	rows := make([]HistoryEntry, 0, len(rec.config.History))
	layer := 0
	for i, h := range rec.config.History {
		e := HistoryEntry{ID: MissingID, CreatedBy: h.CreatedBy, Comment: h.Comment}
		if h.Created != nil {
			e.Created = *h.Created
		}
		if !h.EmptyLayer && layer < len(rec.config.RootFS.DiffIDs) {
			size, err := s.layers.Size(rec.config.RootFS.DiffIDs[layer])
			if err != nil {
				return nil, err
			}
			e.Size = size
			layer++
		}
		if i == len(rec.config.History)-1 {
			e.ID = rec.id.String()
			e.Tags = s.image(rec).RepoTags
		} else if top, ok := tops[i]; ok {
			e.ID = top.id.String()
			e.Tags = s.image(top).RepoTags
		}
		rows = append(rows, e)
	}
	slices.Reverse(rows)
	return rows, nil
}
