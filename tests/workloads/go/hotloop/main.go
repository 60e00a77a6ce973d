// hotloop: the bounds-check story of issue 11.  The same sum, twice:
//
//	hotloop checked SECONDS    s += a[i] + b[i] with i < n: two checks per iteration
//	hotloop resliced SECONDS   b = b[:len(a)] first: the compiler proves both
//
// `go build -gcflags=-d=ssa/check_bce` lists the checks left (only in
// sumChecked).  Prints {"mode":..,"sums":..,"elems":..} at the end.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// The loops are on one line each (not gofmt's layout) so that the loop's
// samples, its compare, increment and body, fall on one line: the test
// names it.

//go:noinline
func sumChecked(a, b []int, n int) int {
	s := 0
	for i := 0; i < n; i++ { s += a[i] + b[i] } // BCE-LINE
	return s
}

//go:noinline
func sumResliced(a, b []int) int {
	s := 0
	b = b[:len(a)]
	for i := 0; i < len(a); i++ { s += a[i] + b[i] } // NOBCE-LINE
	return s
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: hotloop checked|resliced SECONDS")
		os.Exit(2)
	}
	secs, err := strconv.ParseFloat(os.Args[2], 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hotloop: bad SECONDS")
		os.Exit(2)
	}
	const n = 4096
	a, b := make([]int, n), make([]int, n)
	for i := range a {
		a[i], b[i] = i, n-i
	}
	end := time.Now().Add(time.Duration(secs * float64(time.Second)))
	sums, total := 0, 0
	for time.Now().Before(end) {
		for k := 0; k < 1000; k++ {
			if os.Args[1] == "checked" {
				total += sumChecked(a, b, n)
			} else {
				total += sumResliced(a, b)
			}
		}
		sums += 1000
	}
	fmt.Printf("{\"mode\":%q,\"sums\":%d,\"elems\":%d,\"total\":%d}\n", os.Args[1], sums, sums*n, total)
}
