package container

import (
	"strings"

	"github.com/moby/moby/api/types/container"

	"bolsillo/engine/errdefs"
	"bolsillo/engine/runtime"
)

// validateSecurity checks the isolation fields of a create request, as
// Docker's daemon does: --cap-add/--cap-drop names become canonical
// ("net_raw" -> "CAP_NET_RAW") and every --security-opt must be one the
// daemon understands.
func validateSecurity(hc *container.HostConfig) error {
	for _, list := range [][]string{hc.CapAdd, hc.CapDrop} {
		for i, c := range list {
			name, err := runtime.NormalizeCapability(c)
			if err != nil {
				return errdefs.InvalidParameter("%s", err.Error())
			}
			list[i] = name
		}
	}
	_, err := parseSecurityOpts(hc.SecurityOpt)
	return err
}

// securityOf returns the runtime's view of a validated HostConfig.
func securityOf(hc *container.HostConfig) runtime.Security {
	sec, _ := parseSecurityOpts(hc.SecurityOpt)
	sec.Privileged = hc.Privileged
	sec.CapAdd = hc.CapAdd
	sec.CapDrop = hc.CapDrop
	return sec
}

// parseSecurityOpts reads --security-opt values: no-new-privileges[=bool],
// seccomp=unconfined, seccomp=<profile JSON> (the CLI sends the file's
// content), and Docker's apparmor= and label= options, which mean nothing
// without AppArmor or SELinux and are accepted as Docker does on such hosts.
// Both "=" and the old ":" separate key and value.
func parseSecurityOpts(opts []string) (runtime.Security, error) {
	var sec runtime.Security
	for _, opt := range opts {
		if opt == "no-new-privileges" {
			sec.NoNewPrivileges = true
			continue
		}
		key, value, ok := strings.Cut(opt, "=")
		if !ok {
			key, value, ok = strings.Cut(opt, ":")
		}
		if !ok {
			return sec, errdefs.InvalidParameter("invalid --security-opt 1: %q", opt)
		}
		switch key {
		case "no-new-privileges":
			switch value {
			case "true", "1":
				sec.NoNewPrivileges = true
			case "false", "0":
				sec.NoNewPrivileges = false
			default:
				return sec, errdefs.InvalidParameter("invalid --security-opt 2: %q", opt)
			}
		case "seccomp":
			switch {
			case value == runtime.SeccompUnconfined:
			case !runtime.SeccompEnabled:
				return sec, errdefs.InvalidParameter("seccomp is not enabled in your kernel, cannot run a custom seccomp profile")
			default:
				if err := runtime.ParseSeccompProfile(value); err != nil {
					return sec, errdefs.InvalidParameter("invalid seccomp profile: %v", err)
				}
			}
			sec.Seccomp = value
		case "apparmor", "label":
		default:
			return sec, errdefs.InvalidParameter("invalid --security-opt 2: %q", opt)
		}
	}
	return sec, nil
}
