package cli

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/network"
	"github.com/spf13/pflag"
)

// portFlags are -p/--publish and -P/--publish-all of run and create.
type portFlags struct {
	publish    []string
	publishAll bool
}

// addPortFlags registers -p and -P.
func addPortFlags(fl *pflag.FlagSet, o *portFlags) {
	fl.StringArrayVarP(&o.publish, "publish", "p", nil, "Publica un puerto del contenedor en tu máquina: PUERTO_TUYO:PUERTO_DEL_CONTENEDOR[/udp], IP:PUERTO_TUYO:PUERTO_DEL_CONTENEDOR o PUERTO_DEL_CONTENEDOR (uno libre)")
	fl.BoolVarP(&o.publishAll, "publish-all", "P", false, "Publica cada puerto que la imagen declara con EXPOSE en un puerto libre de tu máquina")
}

// apply adds the published ports to a create request as docker's CLI
// does: each container port goes to Config.ExposedPorts and its host side
// to HostConfig.PortBindings. Publishing needs the bridge network, so an
// unset network becomes "bridge" (Docker's default network).
func (o portFlags) apply(spec *containerSpec) error {
	if len(o.publish) == 0 && !o.publishAll {
		return nil
	}
	for _, s := range o.publish {
		ports, err := parsePublish(s)
		if err != nil {
			return err
		}
		for _, pb := range ports {
			if spec.Config.ExposedPorts == nil {
				spec.Config.ExposedPorts = network.PortSet{}
			}
			if spec.HostConfig.PortBindings == nil {
				spec.HostConfig.PortBindings = network.PortMap{}
			}
			spec.Config.ExposedPorts[pb.port] = struct{}{}
			spec.HostConfig.PortBindings[pb.port] = append(spec.HostConfig.PortBindings[pb.port], pb.binding)
		}
	}
	spec.HostConfig.PublishAllPorts = o.publishAll
	switch spec.HostConfig.NetworkMode {
	case "", "default":
		spec.HostConfig.NetworkMode = "bridge"
	case "bridge":
	default:
		return invalidFlag(fmt.Sprintf("Publicar puertos necesita la red `bridge`, y pediste `--network %s`: con `host` el contenedor ya usa los puertos de tu máquina; con `none` no tiene red.", spec.HostConfig.NetworkMode),
			fmt.Errorf("conflicting options: port publishing and the container type network mode"))
	}
	return nil
}

// publishedPort is one container port and where it is published.
type publishedPort struct {
	port    network.Port
	binding network.PortBinding
}

// parsePublish parses one -p value as docker does:
// [[IP:][HOST_PORT[-END]]:]CONTAINER_PORT[-END][/PROTO].
func parsePublish(s string) ([]publishedPort, error) {
	bad := func(why string) ([]publishedPort, error) {
		return nil, invalidFlag(fmt.Sprintf("No entiendo `-p %s`: %s\n\nEl orden es `-p PUERTO_TUYO:PUERTO_DEL_CONTENEDOR`: primero el de tu máquina, después el del contenedor. Por ejemplo `-p 8080:80` lleva tu puerto 8080 al 80 del contenedor.", s, why),
			fmt.Errorf("invalid port specification: %q", s))
	}
	rest, proto, _ := strings.Cut(s, "/")
	switch proto = strings.ToLower(proto); proto {
	case "":
		proto = "tcp"
	case "tcp", "udp":
	default:
		return bad(fmt.Sprintf("el protocolo `%s` no existe; usa `/tcp` o `/udp`.", proto))
	}
	var ip, host, ctr string
	parts := strings.Split(rest, ":")
	switch len(parts) {
	case 1:
		ctr = parts[0]
	case 2:
		host, ctr = parts[0], parts[1]
	case 3:
		ip, host, ctr = parts[0], parts[1], parts[2]
	default:
		// An IPv6 address in brackets: [::1]:8080:80.
		if i := strings.LastIndex(rest, "]:"); strings.HasPrefix(rest, "[") && i > 0 {
			ip = rest[1:i]
			host, ctr, _ = strings.Cut(rest[i+2:], ":")
			break
		}
		return bad("tiene demasiados `:`.")
	}
	var hostIP netip.Addr
	if ip != "" {
		var err error
		if hostIP, err = netip.ParseAddr(strings.Trim(ip, "[]")); err != nil {
			return bad(fmt.Sprintf("`%s` no es una dirección IP.", ip))
		}
	}
	ctrLo, ctrHi, err := parsePortRange(ctr)
	if err != nil || ctrLo == 0 {
		return bad(fmt.Sprintf("`%s` no es un puerto del contenedor (1-65535).", ctr))
	}
	var hostLo, hostHi uint16
	if host != "" {
		if hostLo, hostHi, err = parsePortRange(host); err != nil {
			return bad(fmt.Sprintf("`%s` no es un puerto de tu máquina (1-65535).", host))
		}
	}
	n := ctrHi - ctrLo
	if host != "" && hostHi-hostLo != n && n != 0 {
		return bad(fmt.Sprintf("el rango de tu máquina (%s) y el del contenedor (%s) no tienen el mismo tamaño.", host, ctr))
	}
	var out []publishedPort
	for i := uint16(0); i <= n; i++ {
		p, _ := network.PortFrom(ctrLo+i, network.IPProtocol(proto))
		b := network.PortBinding{HostIP: hostIP}
		switch {
		case host == "":
		case n == 0 && hostHi != hostLo:
			b.HostPort = host // a host range for one port: the daemon picks in it
		default:
			b.HostPort = strconv.Itoa(int(hostLo + i))
		}
		out = append(out, publishedPort{port: p, binding: b})
	}
	return out, nil
}

// parsePortRange parses "80" or "8080-8081".
func parsePortRange(s string) (lo, hi uint16, err error) {
	a, b, isRange := strings.Cut(s, "-")
	l, err := strconv.ParseUint(a, 10, 16)
	if err != nil {
		return 0, 0, err
	}
	h := l
	if isRange {
		if h, err = strconv.ParseUint(b, 10, 16); err != nil {
			return 0, 0, err
		}
		if h < l {
			return 0, 0, fmt.Errorf("invalid range %s", s)
		}
	}
	return uint16(l), uint16(h), nil
}
