package network

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// The TCP side of published ports is one event loop for the whole daemon:
// a goroutine waiting in epoll on the listening sockets and on both ends of
// every proxied connection, and moving bytes with plain non-blocking reads
// and writes, as nginx's stream proxy does. The Go runtime's way (a
// goroutine per direction, the netpoller, net.Dial's socket options) cost
// half again the system calls per connection and several thread wake-ups;
// on a 2-CPU machine, with a new connection per HTTP request, the port kept
// 62-66 % of the requests per second of the direct path that way.
//
// The loop runs while some port is published: the first proxy starts it,
// the last one to close stops it and closes its descriptors.

// scratchSize is the loop's read buffer: what it reads from one side
// before writing it to the other.
const scratchSize = 64 << 10

// acceptBatch bounds the connections accepted per wake-up of a listener,
// so that one busy port does not starve the others.
const acceptBatch = 64

var loopState struct {
	mu    sync.Mutex
	loop  *eventLoop
	users int
}

// acquireLoop returns the running loop, starting it if no port is
// published, and counts one more user of it.
func acquireLoop() (*eventLoop, error) {
	loopState.mu.Lock()
	defer loopState.mu.Unlock()
	if loopState.loop == nil {
		l, err := newEventLoop()
		if err != nil {
			return nil, err
		}
		loopState.loop = l
	}
	loopState.users++
	return loopState.loop, nil
}

// releaseLoop counts one user less, and stops the loop after the last.
func releaseLoop() {
	loopState.mu.Lock()
	defer loopState.mu.Unlock()
	loopState.users--
	if loopState.users == 0 {
		loopState.loop.stop()
		loopState.loop = nil
	}
}

// eventLoop owns the descriptors of the published TCP ports and of their
// connections; only its goroutine touches them, and the rest of the daemon
// reaches it through do.
type eventLoop struct {
	epfd   int
	wakefd int // an eventfd that interrupts epoll_wait when a command waits

	mu       sync.Mutex
	commands []func()
	stopped  chan struct{}

	// Owned by the loop's goroutine.
	listeners  map[int32]*tcpProxy
	pairs      map[int32]*pair // both ends of a pair map to it
	connecting map[*pair]struct{}
	scratch    []byte
	lastID     uint32 // of the last pair made
	quit       bool
}

func newEventLoop() (*eventLoop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wakefd)}); err != nil {
		unix.Close(wakefd)
		unix.Close(epfd)
		return nil, fmt.Errorf("epoll_ctl: %w", err)
	}
	l := &eventLoop{
		epfd:       epfd,
		wakefd:     wakefd,
		stopped:    make(chan struct{}),
		listeners:  map[int32]*tcpProxy{},
		pairs:      map[int32]*pair{},
		connecting: map[*pair]struct{}{},
		scratch:    make([]byte, scratchSize),
	}
	go l.serve()
	return l, nil
}

// do runs f on the loop's goroutine and waits until it has run.
func (l *eventLoop) do(f func()) {
	done := make(chan struct{})
	l.mu.Lock()
	l.commands = append(l.commands, func() { f(); close(done) })
	l.mu.Unlock()
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1) // an eventfd counts in the machine's byte order
	_, _ = unix.Write(l.wakefd, one[:])
	<-done
}

// stop ends the loop once every port is closed, and closes its descriptors.
func (l *eventLoop) stop() {
	l.do(func() { l.quit = true })
	<-l.stopped
	unix.Close(l.wakefd)
	unix.Close(l.epfd)
}

func (l *eventLoop) serve() {
	defer close(l.stopped)
	events := make([]unix.EpollEvent, 128)
	for !l.quit {
		timeout := -1
		if len(l.connecting) > 0 {
			timeout = 500 // milliseconds: how often connection attempts are checked for their deadline
		}
		n, err := unix.EpollWait(l.epfd, events, timeout)
		if err != nil {
			// EINTR; nothing the loop does makes it fail otherwise.
			continue
		}
		for _, ev := range events[:n] {
			switch fd := ev.Fd; {
			case fd == int32(l.wakefd):
				l.runCommands()
			case l.listeners[fd] != nil:
				l.accept(l.listeners[fd])
			case l.pairs[fd] != nil && l.pairs[fd].id == uint32(ev.Pad):
				// The pair's id tells a live event from one queued for a
				// descriptor closed earlier in this batch, whose number
				// a new connection may have taken since.
				l.pairs[fd].ready(l, fd, ev.Events)
			}
		}
		if len(l.connecting) > 0 {
			now := time.Now()
			for p := range l.connecting {
				if now.After(p.deadline) {
					p.close(l)
				}
			}
		}
	}
}

func (l *eventLoop) runCommands() {
	var buf [8]byte
	_, _ = unix.Read(l.wakefd, buf[:])
	l.mu.Lock()
	cmds := l.commands
	l.commands = nil
	l.mu.Unlock()
	for _, f := range cmds {
		f()
	}
}

// tcpProxy is one published TCP port: its listening socket, owned by the
// loop, and the container's address its connections go to.
type tcpProxy struct {
	loop      *eventLoop
	fd        int
	target    unix.SockaddrInet4
	pairs     map[*pair]struct{} // owned by the loop
	closeOnce sync.Once
}

// listenTCP binds addr for the loop and starts accepting on it: each
// connection is forwarded to target. A port something else holds gives
// unix.EADDRINUSE.
func listenTCP(addr, target netip.AddrPort) (*tcpProxy, uint16, error) {
	fd, port, err := bindTCP(addr)
	if err != nil {
		return nil, 0, err
	}
	l, err := acquireLoop()
	if err != nil {
		unix.Close(fd)
		return nil, 0, err
	}
	p := &tcpProxy{loop: l, fd: fd, target: unix.SockaddrInet4{Port: int(target.Port()), Addr: target.Addr().As4()}, pairs: map[*pair]struct{}{}}
	l.do(func() {
		if err = unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}); err == nil {
			l.listeners[int32(fd)] = p
		}
	})
	if err != nil {
		unix.Close(fd)
		releaseLoop()
		return nil, 0, fmt.Errorf("epoll_ctl: %w", err)
	}
	return p, port, nil
}

// bindTCP returns a non-blocking socket listening on addr, and its port.
func bindTCP(addr netip.AddrPort) (int, uint16, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, 0, fmt.Errorf("socket: %w", err)
	}
	// As every Go listener: a port whose last connections are in TIME_WAIT
	// can be published again at once.
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		unix.Close(fd)
		return -1, 0, fmt.Errorf("SO_REUSEADDR: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Port: int(addr.Port()), Addr: addr.Addr().As4()}); err != nil {
		unix.Close(fd)
		return -1, 0, fmt.Errorf("bind: %w", err)
	}
	if err := unix.Listen(fd, 4096); err != nil {
		unix.Close(fd)
		return -1, 0, fmt.Errorf("listen: %w", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return -1, 0, fmt.Errorf("getsockname: %w", err)
	}
	return fd, uint16(sa.(*unix.SockaddrInet4).Port), nil
}

// Close stops listening and cuts the connections in flight.
func (p *tcpProxy) Close() error {
	p.closeOnce.Do(func() {
		p.loop.do(func() {
			unix.Close(p.fd) // closing it also takes it out of the epoll set
			delete(p.loop.listeners, int32(p.fd))
			for c := range p.pairs {
				c.close(p.loop)
			}
		})
		releaseLoop()
	})
	return nil
}

// accept takes the connections waiting on lp and starts dialing the
// container for each.
func (l *eventLoop) accept(lp *tcpProxy) {
	for range acceptBatch {
		client, _, err := unix.Accept4(lp.fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		if err != nil {
			// EAGAIN: no more waiting. ECONNABORTED and the like concern
			// one connection, EMFILE all of them: either way, the next
			// wake-up tries again.
			return
		}
		l.dial(lp, client)
	}
}

// dial connects to lp's container for the client connection client. A
// container that refuses (nothing listens there) gets the client's
// connection closed, as in Docker.
func (l *eventLoop) dial(lp *tcpProxy, client int) {
	backend, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		unix.Close(client)
		return
	}
	l.lastID++
	if l.lastID == 0 {
		l.lastID++ // 0 marks events that are not a pair's
	}
	p := &pair{id: l.lastID, proxy: lp, client: client, backend: backend, connecting: true, deadline: time.Now().Add(dialTimeout)}
	switch err := unix.Connect(backend, &lp.target); {
	case err == nil:
		p.connecting = false
	case errors.Is(err, unix.EINPROGRESS):
	default:
		unix.Close(backend)
		unix.Close(client)
		return
	}
	tuneSocket(client)
	l.pairs[int32(client)] = p
	l.pairs[int32(backend)] = p
	lp.pairs[p] = struct{}{}
	if p.connecting {
		l.connecting[p] = struct{}{}
		p.watch(l)
		return
	}
	p.connected(l)
}

// keepAliveSeconds is the idle time before the first keep-alive probe of a
// proxied connection, and between probes: Go's default, the one
// docker-proxy's connections get.
const keepAliveSeconds = 15

// tuneSocket sets one end of a proxied connection as Go sets a net.Conn:
// no Nagle delay, so each request goes out as it comes; and keep-alive, so
// that a peer that vanished without a word (a laptop closed, a cable
// pulled) does not keep its pair open until the other end closes.
func tuneSocket(fd int) {
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, keepAliveSeconds)
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, keepAliveSeconds)
}

// pair is a client's connection and the loop's connection to the container
// on its behalf.
type pair struct {
	id              uint32 // in the epoll events of both ends
	proxy           *tcpProxy
	client, backend int
	connecting      bool
	deadline        time.Time // of the connection attempt
	up, down        half      // client to container, container to client
	// The events each end is registered for, as last told to epoll; an
	// end waiting for nothing is out of the epoll set.
	clientEvents, backendEvents uint32
	closed                      bool
}

// half is one direction of a pair.
type half struct {
	pending []byte // read from the source, not yet taken by the destination
	eof     bool   // the source has ended its stream
	done    bool   // ... and the destination was told, with shutdown(SHUT_WR)
}

// ready handles the events epoll reported for fd, one end of p.
func (p *pair) ready(l *eventLoop, fd int32, events uint32) {
	if p.connecting {
		if int(fd) != p.backend || events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
			return
		}
		if soErr, err := unix.GetsockoptInt(p.backend, unix.SOL_SOCKET, unix.SO_ERROR); err != nil || soErr != 0 {
			p.close(l)
			return
		}
		p.connecting = false
		delete(l.connecting, p)
		p.connected(l)
		return
	}
	src, dst, in, out := p.client, p.backend, &p.up, &p.down
	if int(fd) == p.backend {
		src, dst, in, out = p.backend, p.client, &p.down, &p.up
	}
	// Writable first: what waits for fd goes out before fd's own input
	// may add more for the other side.
	if events&unix.EPOLLOUT != 0 && !p.flush(l, out, fd) {
		return
	}
	if events&(unix.EPOLLIN|unix.EPOLLRDHUP) != 0 && !p.pump(l, in, int32(src), int32(dst)) {
		return
	}
	if events&unix.EPOLLERR != 0 || events&unix.EPOLLHUP != 0 && events&unix.EPOLLIN == 0 {
		// A reset. (A hang-up after an orderly end of both directions
		// comes with EPOLLIN, and the read above saw the end; an end
		// that waits for nothing is out of the epoll set, so its
		// hang-up cannot cut bytes still pending for the other end.)
		p.close(l)
		return
	}
	p.finish(l)
}

// connected starts moving bytes once the container accepted.
func (p *pair) connected(l *eventLoop) {
	tuneSocket(p.backend)
	// The client has usually sent its request by now: forward it without
	// waiting for epoll to say so.
	if !p.pump(l, &p.up, int32(p.client), int32(p.backend)) {
		return
	}
	p.finish(l)
}

// pump moves what src has to dst, through h. It reports false when the
// pair was closed.
func (p *pair) pump(l *eventLoop, h *half, src, dst int32) bool {
	for !h.eof && len(h.pending) == 0 {
		n, err := unix.Read(int(src), l.scratch)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EAGAIN):
			return true
		case err != nil:
			p.close(l)
			return false
		case n == 0:
			h.eof = true
			return p.shutWrite(l, h, dst)
		}
		w, err := unix.Write(int(dst), l.scratch[:n])
		if err != nil && !errors.Is(err, unix.EAGAIN) {
			p.close(l)
			return false
		}
		if w < n {
			h.pending = append(h.pending[:0], l.scratch[max(w, 0):n]...)
			return true
		}
		if n < len(l.scratch) {
			// Most likely all there was; epoll says when there is more.
			return true
		}
	}
	return true
}

// flush writes h's pending bytes to dst. It reports false when the pair
// was closed.
func (p *pair) flush(l *eventLoop, h *half, dst int32) bool {
	if len(h.pending) == 0 {
		return true
	}
	w, err := unix.Write(int(dst), h.pending)
	if err != nil && !errors.Is(err, unix.EAGAIN) {
		p.close(l)
		return false
	}
	h.pending = h.pending[max(w, 0):]
	if len(h.pending) > 0 {
		return true
	}
	h.pending = nil
	return p.shutWrite(l, h, dst)
}

// shutWrite passes the end of h's stream on to dst, once everything before
// it has been written. It reports false when the pair was closed.
func (p *pair) shutWrite(l *eventLoop, h *half, dst int32) bool {
	if !h.eof || h.done || len(h.pending) > 0 {
		return true
	}
	h.done = true
	if err := unix.Shutdown(int(dst), unix.SHUT_WR); err != nil && !errors.Is(err, unix.ENOTCONN) {
		p.close(l)
		return false
	}
	return true
}

// finish closes p when both directions are over, and otherwise tells epoll
// what each end waits for now.
func (p *pair) finish(l *eventLoop) {
	if p.closed {
		return
	}
	if p.up.done && p.down.done {
		p.close(l)
		return
	}
	p.watch(l)
}

// watch registers each end of p for what it waits for: a connection
// attempt, room for pending bytes, or input when there is nowhere pending.
func (p *pair) watch(l *eventLoop) {
	var clientEv, backendEv uint32
	if p.connecting {
		backendEv = unix.EPOLLOUT
	} else {
		if !p.up.eof && len(p.up.pending) == 0 {
			clientEv |= unix.EPOLLIN | unix.EPOLLRDHUP
		}
		if len(p.up.pending) > 0 {
			backendEv |= unix.EPOLLOUT
		}
		if !p.down.eof && len(p.down.pending) == 0 {
			backendEv |= unix.EPOLLIN | unix.EPOLLRDHUP
		}
		if len(p.down.pending) > 0 {
			clientEv |= unix.EPOLLOUT
		}
	}
	if !l.setEvents(p.client, p.id, &p.clientEvents, clientEv) || !l.setEvents(p.backend, p.id, &p.backendEvents, backendEv) {
		p.close(l)
	}
}

// setEvents registers fd, one end of the pair id, for want, where it was
// registered for *cur (0: not in the epoll set), and records want in *cur.
// It reports false when epoll refused.
func (l *eventLoop) setEvents(fd int, id uint32, cur *uint32, want uint32) bool {
	if want == *cur {
		return true
	}
	op := unix.EPOLL_CTL_MOD
	switch {
	case *cur == 0:
		op = unix.EPOLL_CTL_ADD
	case want == 0:
		op = unix.EPOLL_CTL_DEL
	}
	*cur = want
	return unix.EpollCtl(l.epfd, op, fd, &unix.EpollEvent{Events: want, Fd: int32(fd), Pad: int32(id)}) == nil
}

// close closes both ends of p and forgets it.
func (p *pair) close(l *eventLoop) {
	if p.closed {
		return
	}
	p.closed = true
	delete(l.pairs, int32(p.client))
	delete(l.pairs, int32(p.backend))
	delete(l.connecting, p)
	delete(p.proxy.pairs, p)
	unix.Close(p.client)
	unix.Close(p.backend)
}
