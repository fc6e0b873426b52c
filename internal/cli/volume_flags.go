package cli

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/mount"
	"github.com/spf13/pflag"
)

// volumeFlags are -v/--volume and --mount of run and create.
type volumeFlags struct {
	volumes []string
	mounts  []string
}

// addVolumeFlags registers -v/--volume and --mount.
func addVolumeFlags(fl *pflag.FlagSet, o *volumeFlags) {
	fl.StringArrayVarP(&o.volumes, "volume", "v", nil, "Monta un volumen o una carpeta: NOMBRE:/ruta, /carpeta/de/tu/máquina:/ruta[:ro] o /ruta (volumen anónimo)")
	fl.StringArrayVar(&o.mounts, "mount", nil, "Monta un volumen o una carpeta: type=volume|bind,source=...,target=...[,readonly]")
}

// apply adds the volumes and mounts to a create request, as docker's CLI
// does: "SOURCE:DEST[:MODE]" goes to HostConfig.Binds (a source starting
// with "." is made absolute), a bare "/path" to Config.Volumes, --mount to
// HostConfig.Mounts.
func (o volumeFlags) apply(spec *containerSpec) error {
	for _, v := range o.volumes {
		if v == "" {
			return invalidFlag("`-v` está vacío. Usa `-v NOMBRE:/ruta`, `-v /carpeta:/ruta` o `-v /ruta`.", fmt.Errorf("invalid empty volume spec"))
		}
		src, rest, isBind := strings.Cut(v, ":")
		if !isBind {
			if spec.Config.Volumes == nil {
				spec.Config.Volumes = map[string]struct{}{}
			}
			spec.Config.Volumes[v] = struct{}{}
			continue
		}
		if strings.HasPrefix(src, ".") {
			abs, err := filepath.Abs(src)
			if err != nil {
				return err
			}
			v = abs + ":" + rest
		}
		spec.HostConfig.Binds = append(spec.HostConfig.Binds, v)
	}
	for _, m := range o.mounts {
		mt, err := parseMountFlag(m)
		if err != nil {
			return err
		}
		spec.HostConfig.Mounts = append(spec.HostConfig.Mounts, mt)
	}
	return nil
}

// parseMountFlag parses docker's --mount CSV: type, source|src,
// target|destination|dst, readonly|ro, volume-nocopy.
func parseMountFlag(s string) (mount.Mount, error) {
	m := mount.Mount{Type: mount.TypeVolume}
	bad := func(err error) (mount.Mount, error) {
		return mount.Mount{}, invalidFlag(fmt.Sprintf("No entiendo `--mount %s`. Ejemplo: `--mount type=bind,source=/tmp/web,target=/www,readonly`.", s), err)
	}
	for _, field := range strings.Split(s, ",") {
		key, val, hasVal := strings.Cut(field, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		boolVal := func() (bool, error) {
			if !hasVal {
				return true, nil
			}
			return strconv.ParseBool(val)
		}
		switch key {
		case "type":
			m.Type = mount.Type(strings.ToLower(val))
		case "source", "src":
			m.Source = val
		case "target", "destination", "dst":
			m.Target = val
		case "readonly", "ro":
			b, err := boolVal()
			if err != nil {
				return bad(fmt.Errorf("invalid value for %s: %s", key, val))
			}
			m.ReadOnly = b
		case "volume-nocopy":
			b, err := boolVal()
			if err != nil {
				return bad(fmt.Errorf("invalid value for volume-nocopy: %s", val))
			}
			m.VolumeOptions = &mount.VolumeOptions{NoCopy: b}
		case "bind-propagation":
			m.BindOptions = &mount.BindOptions{Propagation: mount.Propagation(val)}
		default:
			return bad(fmt.Errorf("unexpected key '%s' in '%s'", key, field))
		}
	}
	if m.Target == "" {
		return bad(fmt.Errorf("target is required"))
	}
	return m, nil
}
