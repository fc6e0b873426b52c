package engine

import (
	"io"

	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine/container"
	"bolsillo/engine/layer"
)

// ContainerStatPath describes a path of a container, running or stopped:
// HEAD /containers/{name}/archive.
func (e *Engine) ContainerStatPath(ref, path string) (*apicontainer.PathStat, error) {
	return e.containers.StatPath(ref, path)
}

// ContainerArchivePath writes a path of a container as a tar: GET
// /containers/{name}/archive. open receives the path's stat once it is
// found and gives the writer.
func (e *Engine) ContainerArchivePath(ref, path string, open func(*apicontainer.PathStat) (io.Writer, error)) error {
	if err := e.containers.ArchivePath(ref, path, open); err != nil {
		return err
	}
	e.publishContainer("archive-path", ref, nil)
	return nil
}

// ContainerExtractToDir unpacks a tar into a directory of a container: PUT
// /containers/{name}/archive.
func (e *Engine) ContainerExtractToDir(ref, path string, r io.Reader, noOverwriteDirNonDir, copyUIDGID bool) error {
	err := e.containers.ExtractToDir(ref, path, r, container.ExtractOptions{
		NoOverwriteDirNonDir: noOverwriteDirNonDir,
		CopyUIDGID:           copyUIDGID,
	})
	if err != nil {
		return err
	}
	e.publishContainer("extract-to-dir", ref, nil)
	return nil
}

// ContainerChanges lists the changes in a container's writable layer:
// GET /containers/{name}/changes. Kind is 0 modified, 1 added, 2 deleted.
func (e *Engine) ContainerChanges(ref string) ([]apicontainer.FilesystemChange, error) {
	changes, err := e.containers.Changes(ref)
	if err != nil {
		return nil, err
	}
	out := make([]apicontainer.FilesystemChange, 0, len(changes))
	for _, c := range changes {
		kind := apicontainer.ChangeModify
		switch c.Kind {
		case layer.ChangeAdd:
			kind = apicontainer.ChangeAdd
		case layer.ChangeDelete:
			kind = apicontainer.ChangeDelete
		}
		out = append(out, apicontainer.FilesystemChange{Path: c.Path, Kind: kind})
	}
	return out, nil
}
