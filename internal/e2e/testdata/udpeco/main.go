// Command udpeco answers every UDP datagram on :5353 with "eco:" and the
// datagram. The end-to-end tests build it statically and run it in a
// busybox container, whose busybox has no UDP server of its own.
package main

import (
	"log"
	"net"
)

func main() {
	c, err := net.ListenPacket("udp4", ":5353")
	if err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, 1500)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := c.WriteTo(append([]byte("eco:"), buf[:n]...), from); err != nil {
			log.Print(err)
		}
	}
}
