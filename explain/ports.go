package explain

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/network"
)

// PortsData is what the CLI knows about a container's published ports
// right after it started.
type PortsData struct {
	Container container.InspectResponse
	Image     image.InspectResponse
	// Listening tells, per published host port ("8080/tcp"), whether a
	// program answered behind it; a port that was not probed is absent.
	Listening map[string]bool
}

// publishedPort is one line of NetworkSettings.Ports.
type publishedPort struct {
	ctr      network.Port
	hostIP   string
	hostPort string
	asked    string // the host port the user asked for: "" means a free one
}

// published lists a container's bound ports, ordered by container port.
func published(c container.InspectResponse) []publishedPort {
	var out []publishedPort
	if c.NetworkSettings == nil {
		return nil
	}
	for p, bindings := range c.NetworkSettings.Ports {
		for i, b := range bindings {
			pp := publishedPort{ctr: p, hostIP: "0.0.0.0", hostPort: b.HostPort}
			if b.HostIP.IsValid() {
				pp.hostIP = b.HostIP.String()
			}
			if c.HostConfig != nil && i < len(c.HostConfig.PortBindings[p]) {
				pp.asked = c.HostConfig.PortBindings[p][i].HostPort
			}
			out = append(out, pp)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ctr.Num() != out[j].ctr.Num() {
			return out[i].ctr.Num() < out[j].ctr.Num()
		}
		return out[i].ctr.Proto() < out[j].ctr.Proto()
	})
	return out
}

// Ports explains the published ports of a container that just started;
// "" when it publishes none. It says which host port leads to which
// container port (the X:Y order is the classic mistake), warns about a
// port the image does not EXPOSE and about one nothing listens on yet.
func Ports(d PortsData) string {
	c := d.Container
	ports := published(c)
	if len(ports) == 0 {
		return ""
	}
	name := containerName(c)
	var exposed map[string]struct{}
	if d.Image.Config != nil {
		exposed = d.Image.Config.ExposedPorts
	}
	var md doc
	md.title("Puertos publicados de %s", code(name))
	for _, p := range ports {
		proto := string(p.ctr.Proto())
		udp := ""
		if proto == "udp" {
			udp = " (UDP)"
		}
		line := fmt.Sprintf("Tu puerto %s lleva al puerto %d del contenedor %s%s", p.hostPort, p.ctr.Num(), code(name), udp)
		switch {
		case p.asked == "" || p.asked == "0":
			line += fmt.Sprintf(": no elegiste puerto tuyo, así que se tomó uno libre (lo ves con %s)", code("bolsillo port "+containerRef(c)))
		case p.hostIP != "0.0.0.0" && p.hostIP != "::":
			line += fmt.Sprintf(", solo en la dirección %s de tu máquina", code(p.hostIP))
		}
		if proto == "tcp" {
			line += fmt.Sprintf(". Pruébalo con %s.", code("curl http://"+probeHost(p.hostIP)+":"+p.hostPort+"/"))
		} else {
			line += "."
		}
		md.item("%s", line)
		key := p.hostPort + "/" + proto
		if listening, probed := d.Listening[key]; probed && !listening {
			md.item("Ahora mismo nada escucha en el puerto %d dentro de %s: la conexión llega al contenedor y nadie la atiende. Quizá el programa aún arranca, o escucha en otro puerto (míralo con %s).",
				p.ctr.Num(), code(name), code("bolsillo logs "+containerRef(c)))
		}
		if _, ok := exposed[p.ctr.String()]; !ok && len(exposed) > 0 {
			md.item("%s", notExposedSentence(p, exposed))
		}
	}
	md.item("El orden es siempre %s: a la izquierda el puerto de tu máquina, a la derecha el del contenedor. %s lleva tu 8080 al 80 del contenedor; al revés no funcionaría.",
		code("-p PUERTO_TUYO:PUERTO_DEL_CONTENEDOR"), code("-p 8080:80"))
	md.item("Quien atiende tu puerto es bolsillod (un proxy, como el %s de Docker): reenvía cada conexión a la dirección del contenedor en la red %s, %s.",
		code("docker-proxy"), code("bridge"), code(containerIP(c)))
	return md.String()
}

// notExposedSentence warns about a published port the image does not
// EXPOSE, and spots the reversed -p.
func notExposedSentence(p publishedPort, exposed map[string]struct{}) string {
	var list []string
	for e := range exposed {
		list = append(list, e)
	}
	sort.Strings(list)
	s := fmt.Sprintf("La imagen no declara el puerto %d con %s (declara %s).", p.ctr.Num(), code("EXPOSE"), codeList(list))
	reversed := strings.TrimSuffix(p.asked, "/tcp") + "/" + string(p.ctr.Proto())
	if _, ok := exposed[reversed]; ok && p.asked != "" {
		return s + fmt.Sprintf(" ¿Escribiste los números al revés? Lo habitual sería %s.", code(fmt.Sprintf("-p %d:%s", p.ctr.Num(), p.asked)))
	}
	return s + " Funciona igual si el programa escucha en ese puerto: EXPOSE solo lo documenta."
}

// probeHost is the address to try a published port on.
func probeHost(hostIP string) string {
	if ip, err := netip.ParseAddr(hostIP); err == nil && !ip.IsUnspecified() {
		if ip.Is6() {
			return "[" + hostIP + "]"
		}
		return hostIP
	}
	return "127.0.0.1"
}

// containerIP is the container's address on the bridge, or "sin dirección".
func containerIP(c container.InspectResponse) string {
	if c.NetworkSettings != nil {
		for _, es := range c.NetworkSettings.Networks {
			if es != nil && es.IPAddress.IsValid() {
				return es.IPAddress.String()
			}
		}
	}
	return "sin dirección"
}

// PortCommand explains `port`: the same mapping, line by line.
func PortCommand(c container.InspectResponse) string {
	ports := published(c)
	var md doc
	md.title("Puertos de %s", code(containerName(c)))
	if len(ports) == 0 {
		md.item("No publica ningún puerto: desde tu máquina solo se llega a él con %s (o %s) al crearlo.", code("-p"), code("-P"))
		return md.String()
	}
	for _, p := range ports {
		md.item("Tu puerto %s (en %s) lleva al puerto %s del contenedor %s.", p.hostPort, code(p.hostIP), p.ctr.String(), code(containerName(c)))
	}
	md.item("A la izquierda de la flecha, el puerto del contenedor; a la derecha, dónde lo publicó tu máquina.")
	return md.String()
}

// PortInUse explains a start that failed because the host port was taken;
// ok is false when err is something else. running are the daemon's running
// containers: the one publishing the port is named as its holder.
func PortInUse(msg string, running []container.Summary) (string, bool) {
	_, rest, found := strings.Cut(msg, "Bind for ")
	if !found || !strings.Contains(rest, "port is already allocated") {
		return "", false
	}
	addr, _, _ := strings.Cut(rest, " failed")
	port := addr
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		port = addr[i+1:]
	}
	n, _ := strconv.Atoi(port)
	var md doc
	md.title("El puerto %s de tu máquina ya está ocupado", port)
	md.item("Otro programa (u otro contenedor) ya escucha en %s, y dos no pueden escuchar en el mismo puerto.", code(addr))
	md.item("El contenedor se creó pero no arrancó, y no quedó nada a medias: ni dirección, ni interfaz, ni puerto.")
	md.item("Elige otro puerto tuyo, por ejemplo %s, o deja que se elija uno libre con %s.", code(fmt.Sprintf("-p %d:PUERTO_DEL_CONTENEDOR", n+1)), code("-p PUERTO_DEL_CONTENEDOR"))
	if holder, ctrPort, ok := portHolder(running, n); ok {
		md.item("Lo tiene el contenedor %s: tu puerto %d lleva a su puerto %s. Si ya no lo necesitas, %s lo libera.", code(holder), n, ctrPort, code("bolsillo stop "+holder))
	} else {
		md.item("Ningún contenedor de este daemon lo publica: lo tiene un programa de tu máquina (u otro daemon). %s te dice cuál.", code(fmt.Sprintf("ss -ltnp 'sport = :%d'", n)))
	}
	return md.String(), true
}

// portHolder finds the running container publishing host port n.
func portHolder(running []container.Summary, n int) (name, ctrPort string, ok bool) {
	for _, c := range running {
		for _, p := range c.Ports {
			if int(p.PublicPort) == n && len(c.Names) > 0 {
				return strings.TrimPrefix(c.Names[0], "/"), fmt.Sprintf("%d/%s", p.PrivatePort, p.Type), true
			}
		}
	}
	return "", "", false
}

// NetworkList explains `network ls`.
func NetworkList(nets []network.Summary) string {
	var md doc
	md.title("Redes: %d", len(nets))
	for _, n := range nets {
		switch n.Name {
		case "bridge":
			subnet := ""
			if len(n.IPAM.Config) > 0 {
				subnet = fmt.Sprintf(" (%s)", code(n.IPAM.Config[0].Subnet.String()))
			}
			md.item("%s: un switch virtual en tu máquina%s; cada contenedor recibe ahí una dirección propia y se ven entre sí. Es la red por defecto: ahí van tus contenedores si no dices otra con %s, y desde ella %s y %s publican sus puertos.", code("bridge"), subnet, code("--network"), code("-p"), code("-P"))
		case "host":
			md.item("%s: el contenedor usa la red de tu máquina tal cual, sin aislamiento; no hace falta publicar puertos.", code("host"))
		case "none":
			md.item("%s: solo la interfaz de loopback; el contenedor no habla con nadie.", code("none"))
		default:
			md.item("%s, con el driver %s.", code(n.Name), code(n.Driver))
		}
	}
	return md.String()
}

// NetworkInspect explains `network inspect` of one network.
func NetworkInspect(n network.Inspect) string {
	var md doc
	md.title("Red %s", code(n.Name))
	if n.Name == "bridge" && len(n.IPAM.Config) > 0 {
		cfg := n.IPAM.Config[0]
		md.item("Subred %s; la puerta de enlace (gateway) %s es la propia interfaz %s de tu máquina.", code(cfg.Subnet.String()), code(cfg.Gateway.String()), code(n.Options["com.docker.network.bridge.name"]))
	}
	if len(n.Containers) == 0 {
		md.item("Ahora mismo no hay ningún contenedor corriendo en ella.")
		return md.String()
	}
	var names []string
	for _, c := range n.Containers {
		s := c.Name
		if c.IPv4Address.IsValid() {
			s += " " + c.IPv4Address.Addr().String()
		}
		names = append(names, s)
	}
	sort.Strings(names)
	md.item("Contenedores conectados: %s.", codeList(names))
	return md.String()
}
