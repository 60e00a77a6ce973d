// allocgo: known Go heap allocations, with the runtime's own count.
//
//	allocgo escape N     N allocations of a 24-byte value that escapes
//	allocgo noescape N   the same loop, the value stays on the stack
//	allocgo bytes B      class-sized allocations (48 B .. 64 KiB) until B bytes
//	allocgo escapefor S  the escape loop for S seconds (a soak); "result" is the
//	                     number of allocations the loop made
//
// ALLOCGO_PROFILE_RATE=N sets runtime.MemProfileRate at the start of main.
//
// Prints {"mallocs":..,"total_alloc":..,"result":..,"samples":..}: runtime.MemStats
// deltas over the loop only, the oracle fastpath is compared with.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

type point struct{ x, y, z int64 }

var sink *point
var bsink []byte

//go:noinline
func escapeLoop(n int) int64 {
	var s int64
	for i := 0; i < n; i++ {
		p := &point{int64(i), 1, 2} // ALLOC-SITE: escapes through sink
		sink = p
		s += p.x
	}
	return s
}

//go:noinline
func noEscapeLoop(n int) int64 {
	var s int64
	for i := 0; i < n; i++ {
		p := point{int64(i), 1, 2}
		q := &p // stays on the stack: nothing keeps it
		s += q.x + q.y
	}
	return s
}

//go:noinline
func bytesLoop(total int64) int64 {
	// Exact size classes (and a large object of whole pages), so the
	// bytes the runtime counts equal the bytes asked for.
	sizes := []int{48, 1024, 8192, 32768, 65536}
	var done int64
	for i := 0; done < total; i++ {
		sz := sizes[i%len(sizes)]
		bsink = make([]byte, sz)
		done += int64(sz)
	}
	return done
}

// The runtime's own count of heap-profile samples (whole run), an exact
// oracle for fastpath's sampled mode.  The profile is published at the end
// of a GC cycle, hence the GC first.
func profileSamples() int64 {
	runtime.GC()
	recs := make([]runtime.MemProfileRecord, 4096)
	n, ok := runtime.MemProfile(recs, true)
	for !ok {
		recs = make([]runtime.MemProfileRecord, n+64)
		n, ok = runtime.MemProfile(recs, true)
	}
	var objs int64
	for _, r := range recs[:n] {
		objs += r.AllocObjects
	}
	return objs
}

// escapeFor runs the escape loop in rounds of 10,000 for secs seconds and
// returns how many allocations it made (the clock is read between rounds,
// time.Now does not allocate).
//
//go:noinline
func escapeFor(secs int64) int64 {
	const round = 10000
	var n int64
	end := time.Now().Add(time.Duration(secs) * time.Second)
	for time.Now().Before(end) {
		escapeLoop(round)
		n += round
	}
	return n
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: allocgo escape|noescape|bytes|escapefor N")
		os.Exit(2)
	}
	if r := os.Getenv("ALLOCGO_PROFILE_RATE"); r != "" {
		// What a program does to turn heap profiling off (0) or change
		// its rate: set it first thing in main.
		runtime.MemProfileRate, _ = strconv.Atoi(r)
	}
	n, err := strconv.ParseInt(os.Args[2], 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "allocgo: bad number", os.Args[2])
		os.Exit(2)
	}
	var before, after runtime.MemStats
	var result int64
	runtime.ReadMemStats(&before)
	switch os.Args[1] {
	case "escape":
		result = escapeLoop(int(n))
	case "noescape":
		result = noEscapeLoop(int(n))
	case "bytes":
		result = bytesLoop(n)
	case "escapefor":
		result = escapeFor(n)
	default:
		fmt.Fprintln(os.Stderr, "allocgo: unknown mode", os.Args[1])
		os.Exit(2)
	}
	runtime.ReadMemStats(&after)
	fmt.Printf("{\"mallocs\":%d,\"total_alloc\":%d,\"result\":%d,\"samples\":%d}\n",
		after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc, result, profileSamples())
}
