package runtime

import (
	"fmt"
	"os"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/user"
)

// resolveUser resolves a Docker user string ("", "name", "uid",
// "name:group", "uid:gid") against the container's /etc/passwd and
// /etc/group. Numeric IDs need no entry; an unknown name is an error.
func resolveUser(rootfs, spec string) (execUser, error) {
	passwd, err := securejoin.SecureJoin(rootfs, "/etc/passwd")
	if err != nil {
		return execUser{}, fmt.Errorf("resolving /etc/passwd: %w", err)
	}
	group, err := securejoin.SecureJoin(rootfs, "/etc/group")
	if err != nil {
		return execUser{}, fmt.Errorf("resolving /etc/group: %w", err)
	}
	// Missing files are fine: GetExecUserPath then accepts numeric IDs only.
	eu, err := user.GetExecUserPath(spec, &user.ExecUser{Home: "/"}, passwd, group)
	if err != nil {
		return execUser{}, fmt.Errorf("unable to find user %s: %w", spec, err)
	}
	if eu.Uid < 0 || eu.Gid < 0 {
		return execUser{}, fmt.Errorf("invalid user %q", spec)
	}
	u := execUser{UID: uint32(eu.Uid), GID: uint32(eu.Gid)}
	for _, g := range eu.Sgids {
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
