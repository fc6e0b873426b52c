package volume

import (
	"fmt"
	"path"
	"strings"

	"github.com/moby/moby/api/types/mount"

	"bolsillo/engine/errdefs"
)

// Spec is one mount a container asked for, parsed from a bind
// ("datos:/data", "/host:/src:ro"), a --mount, or a bare destination
// ("-v /data", an image's VOLUME).
type Spec struct {
	Type        mount.Type // mount.TypeVolume or mount.TypeBind
	Source      string     // volume name ("" for an anonymous volume) or absolute host path
	Destination string     // absolute path inside the container, cleaned
	ReadOnly    bool
	// Mode is the mode part of a bind, as inspect shows it ("ro", "z").
	Mode string
	// NoCopy keeps an empty volume empty instead of filling it from the
	// image's content at Destination.
	NoCopy bool
	// CreateSource creates a missing bind source (-v does; --mount refuses).
	CreateSource bool
}

// validModes are the options a bind may end with.
var validModes = map[string]bool{
	"ro": true, "rw": true, "z": true, "Z": true, "nocopy": true,
	"private": true, "rprivate": true, "shared": true, "rshared": true, "slave": true, "rslave": true,
}

// ParseBind parses one HostConfig.Binds entry: SOURCE:DEST[:MODE], where
// SOURCE is a volume name or an absolute host path.
func ParseBind(bind string) (Spec, error) {
	invalid := func() error {
		return errdefs.InvalidParameter("invalid volume specification: '%s'", bind)
	}
	parts := strings.Split(bind, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return Spec{}, invalid()
	}
	s := Spec{Type: mount.TypeVolume, Source: parts[0], Destination: parts[1]}
	if len(parts) == 3 {
		s.Mode = parts[2]
		for _, m := range strings.Split(parts[2], ",") {
			if !validModes[m] {
				return Spec{}, errdefs.InvalidParameter("invalid mode: %s", parts[2])
			}
			switch m {
			case "ro":
				s.ReadOnly = true
			case "nocopy":
				s.NoCopy = true
			}
		}
	}
	if strings.HasPrefix(s.Source, "/") {
		s.Type = mount.TypeBind
		s.Source = path.Clean(s.Source)
		s.CreateSource = true
	} else if err := checkName(s.Source); err != nil {
		// Docker reads a relative path as a volume name, and refuses it.
		return Spec{}, err
	} else if s.Mode == "" {
		s.Mode = "z" // what Docker shows for a named volume given with -v
	}
	if err := checkDestination(string(s.Type), s.Destination); err != nil {
		return Spec{}, errdefs.InvalidParameter("invalid volume specification: '%s': %s", bind, err.Error())
	}
	s.Destination = path.Clean(s.Destination)
	return s, nil
}

// ParseMount checks one HostConfig.Mounts entry (--mount).
func ParseMount(m mount.Mount) (Spec, error) {
	s := Spec{Type: m.Type, Source: m.Source, Destination: m.Target, ReadOnly: m.ReadOnly}
	switch m.Type {
	case mount.TypeBind:
		if m.Source == "" {
			return Spec{}, invalidMount(m.Type, "field Source must not be empty")
		}
		if !path.IsAbs(m.Source) {
			return Spec{}, invalidMount(m.Type, fmt.Sprintf("invalid mount path: '%s' mount path must be absolute", m.Source))
		}
		s.Source = path.Clean(m.Source)
	case mount.TypeVolume:
		if m.Source != "" {
			if err := checkName(m.Source); err != nil {
				return Spec{}, err
			}
		}
		if m.VolumeOptions != nil {
			s.NoCopy = m.VolumeOptions.NoCopy
		}
	case "":
		return Spec{}, errdefs.InvalidParameter("invalid mount config: must use either propagation mode \"rslave\" or \"rshared\", or type \"bind\" or \"volume\"")
	default:
		return Spec{}, errdefs.InvalidParameter("mount type unknown: %q", m.Type)
	}
	if m.Target == "" {
		return Spec{}, invalidMount(m.Type, "field Target must not be empty")
	}
	if err := checkDestination(string(m.Type), m.Target); err != nil {
		return Spec{}, errdefs.InvalidParameter("%s", err.Error())
	}
	s.Destination = path.Clean(m.Target)
	return s, nil
}

// Anonymous is the spec of an anonymous volume at dest (`-v /data`, VOLUME).
func Anonymous(dest string) (Spec, error) {
	if err := checkDestination(string(mount.TypeVolume), dest); err != nil {
		return Spec{}, errdefs.InvalidParameter("%s", err.Error())
	}
	return Spec{Type: mount.TypeVolume, Destination: path.Clean(dest)}, nil
}

func invalidMount(t mount.Type, msg string) error {
	return errdefs.InvalidParameter("invalid mount config for type %q: %s", t, msg)
}

// checkDestination applies Docker's rules to a mount's destination.
func checkDestination(typ, dest string) error {
	if !path.IsAbs(dest) {
		return fmt.Errorf("invalid mount config for type %q: invalid mount path: '%s' mount path must be absolute", typ, dest)
	}
	if path.Clean(dest) == "/" {
		return fmt.Errorf("invalid specification: destination can't be '/'")
	}
	return nil
}
