// fileserve: a TCP file server on 127.0.0.1 that is its own client.
//
//	go-fileserve -mode direct|wrapped -file PATH -n TRANSFERS
//
// The server answers each connection with the file:
//
//	direct:  io.Copy(conn, f)                    f is an *os.File: sendfile(2)
//	wrapped: io.Copy(conn, &countingReader{f})   the wrapper hides the file:
//	                                             read(2)/write(2) through a 32 KiB buffer
//
// The client makes TRANSFERS connections one after another, reads each to
// EOF, then the program prints what it did and exits.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
)

// countingReader counts the bytes read: the one-line change that turns
// sendfile into a copy loop, since it is not an *os.File any more.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func serve(ln net.Listener, path, mode string, n int, done chan<- int64) {
	var sent int64
	for i := 0; i < n; i++ {
		conn, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "accept:", err)
			os.Exit(1)
		}
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		var w int64
		if mode == "direct" {
			w, err = io.Copy(conn, f)
		} else {
			w, err = io.Copy(conn, &countingReader{r: f})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "copy:", err)
			os.Exit(1)
		}
		sent += w
		f.Close()
		conn.Close()
	}
	done <- sent
}

func main() {
	mode := flag.String("mode", "direct", "direct (io.Copy(conn, f)) or wrapped (io.Copy(conn, &countingReader{f}))")
	path := flag.String("file", "", "file to serve")
	n := flag.Int("n", 4, "transfers")
	flag.Parse()
	if *path == "" || (*mode != "direct" && *mode != "wrapped") {
		flag.Usage()
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	done := make(chan int64)
	go serve(ln, *path, *mode, *n, done)
	var received int64
	for i := 0; i < *n; i++ {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		r, err := io.Copy(io.Discard, conn)
		if err != nil {
			fmt.Fprintln(os.Stderr, "client:", err)
			os.Exit(1)
		}
		received += r
		conn.Close()
	}
	sent := <-done
	fmt.Printf("mode=%s\ntransfers=%d\nsent=%d\nreceived=%d\n", *mode, *n, sent, received)
}
