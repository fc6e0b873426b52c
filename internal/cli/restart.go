package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/spf13/pflag"
)

// addRestartFlag registers --restart on run and create.
func addRestartFlag(fl *pflag.FlagSet, policy *string) {
	fl.StringVar(policy, "restart", "no", "Política de reinicio: no, on-failure[:reintentos], always o unless-stopped")
}

// parseRestartPolicy parses docker's --restart value.
func parseRestartPolicy(s string) (container.RestartPolicy, error) {
	name, count, hasCount := strings.Cut(s, ":")
	p := container.RestartPolicy{Name: container.RestartPolicyMode(name)}
	switch p.Name {
	case "", container.RestartPolicyDisabled, container.RestartPolicyAlways, container.RestartPolicyUnlessStopped:
		if hasCount {
			return p, invalidFlag(fmt.Sprintf("`--restart %s` no lleva número de reintentos: solo `on-failure:N` lo admite.", s),
				fmt.Errorf("maximum retry count cannot be used with restart policy '%s'", name))
		}
	case container.RestartPolicyOnFailure:
		if hasCount {
			n, err := strconv.Atoi(count)
			if err != nil || n < 0 {
				return p, invalidFlag(fmt.Sprintf("En `--restart %s`, los reintentos deben ser un número entero, por ejemplo `on-failure:3`.", s),
					fmt.Errorf("invalid restart policy format: maximum retry count must be an integer"))
			}
			p.MaximumRetryCount = n
		}
	default:
		return p, invalidFlag(fmt.Sprintf("`--restart %s` no existe: usa `no`, `on-failure[:N]`, `always` o `unless-stopped`.", s),
			fmt.Errorf("invalid restart policy '%s'", name))
	}
	return p, nil
}

// specWithRestart is opts.spec() with the restart policy applied.
func (o *runOptions) specWithRestart() (*containerSpec, error) {
	spec, err := o.spec()
	if err != nil {
		return nil, err
	}
	p, err := parseRestartPolicy(o.restart)
	if err != nil {
		return nil, err
	}
	if o.autoRemove && !p.IsNone() {
		return nil, invalidFlag("`--rm` y `--restart` no van juntos: un contenedor que se borra al terminar no se puede reiniciar.",
			fmt.Errorf("conflicting options: cannot specify both --restart and --rm"))
	}
	spec.HostConfig.RestartPolicy = p
	if err := o.volumes.apply(spec); err != nil {
		return nil, err
	}
	return spec, o.ports.apply(spec) // port_flags.go
}
