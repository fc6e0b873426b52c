package server

import (
	"context"

	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine/errdefs"
)

func (f *fakeBackend) ContainerRename(ref, newName string) error {
	if newName == "ocupado" {
		return errdefs.Conflict(`Conflict. The container name "/ocupado" is already in use by container "abc".`)
	}
	return nil
}

func (f *fakeBackend) ContainersPrune(context.Context, map[string][]string) (*apicontainer.PruneReport, error) {
	return &apicontainer.PruneReport{ContainersDeleted: []string{"abc"}, SpaceReclaimed: 12}, nil
}
