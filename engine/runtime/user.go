package runtime

import (
	"fmt"
	"os"
	"slices"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/user"
)

// resolveUser resolves a Docker user string ("", "name", "uid",
// "name:group", "uid:gid") and the --group-add groups (names or GIDs)
// against the container's /etc/passwd and /etc/group. Numeric IDs need no
// entry; an unknown name is an error.
//
// As in Docker, the supplementary groups start with the primary group, then
// the user's groups in /etc/group, then the added ones: a process that
// changes its group (a setgid program, newgrp) still belongs to its primary
// group, and a file that denies that group stays denied (CVE-2022-36109).
func resolveUser(rootfs, spec string, groupAdd []string) (execUser, error) {
	passwd, err := securejoin.SecureJoin(rootfs, "/etc/passwd")
	if err != nil {
		return execUser{}, fmt.Errorf("resolving /etc/passwd: %w", err)
	}
	group, err := securejoin.SecureJoin(rootfs, "/etc/group")
	if err != nil {
		return execUser{}, fmt.Errorf("resolving /etc/group: %w", err)
	}
	// Missing files are fine: GetExecUserPath then accepts numeric IDs
	// only. Its errors name the user or group: "unable to find user nadie:
	// no matching entries in passwd file", as Docker reports them.
	eu, err := user.GetExecUserPath(spec, &user.ExecUser{Home: "/"}, passwd, group)
	if err != nil {
		return execUser{}, err
	}
	if eu.Uid < 0 || eu.Gid < 0 {
		return execUser{}, fmt.Errorf("invalid user %q", spec)
	}
	var added []int
	if len(groupAdd) > 0 {
		if added, err = user.GetAdditionalGroupsPath(groupAdd, group); err != nil {
			return execUser{}, err
		}
		// They come out of a map: sorted, the spec is the same every time.
		slices.Sort(added)
	}
	u := execUser{UID: uint32(eu.Uid), GID: uint32(eu.Gid), AdditionalGIDs: []uint32{uint32(eu.Gid)}}
	for _, g := range append(eu.Sgids, added...) {
		u.AdditionalGIDs = append(u.AdditionalGIDs, uint32(g))
	}
	return u, nil
}

// prepareCwd creates the working directory inside rootfs when it is
// missing, owned by root with mode 0755, as Docker does. It fails when the
// path exists and is not a directory.
func prepareCwd(rootfs, cwd string) error {
	if cwd == "" {
		return nil
	}
	p, err := securejoin.SecureJoin(rootfs, cwd)
	if err != nil {
		return fmt.Errorf("resolving working directory %s: %w", cwd, err)
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		return fmt.Errorf("creating working directory %s: %w", cwd, err)
	}
	return nil
}
