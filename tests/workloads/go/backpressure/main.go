// backpressure: issue 12's story.  The same overload (producers offer
// items faster than the processing stage takes them) held back by three
// designs, chosen by -design:
//
//	chan    a bounded channel: producers block on a full queue (backpressure)
//	sem     a weighted semaphore on sync.Mutex + sync.Cond: producers
//	        block until enough weight is released
//	xsem    the same with golang.org/x/sync/semaphore.Weighted (Debian's
//	        golang-golang-x-sync-dev, GOPATH /usr/share/gocode): it queues
//	        waiters on a channel each and parks them in select
//	ticker  a token bucket refilled by a time.Ticker: producers sleep until
//	        the next refill when the bucket is empty (rate limiting)
//	mutex   no queue: producers contend on one sync.Mutex around the work
//	pingpong  -items round trips between two goroutines over unbuffered
//	        channels on one P: two parks per round trip (bench/gopark.sh)
//
// It counts its own blocking operations, each the way it blocks (a
// would-block is detected first: select with default, TryLock, the
// semaphore's condition), and prints them as one JSON object at the end:
// the oracle of tests/e2e/test_gopark.sh.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	xsync "golang.org/x/sync/semaphore"
)

var sink uint64

// work: a fixed amount of CPU per item, no parking.
//
//go:noinline
func work(n int) {
	h := uint64(14695981039346656037)
	for i := 0; i < n; i++ {
		h ^= uint64(i)
		h *= 1099511628211
	}
	atomic.AddUint64(&sink, h)
}

type counts struct {
	Design      string `json:"design"`
	Items       int64  `json:"items"`
	SendBlocked int64  `json:"chan_send_blocked"`
	RecvBlocked int64  `json:"chan_recv_blocked"`
	CondWaits   int64  `json:"cond_waits"`
	XSemBlocked int64  `json:"xsem_blocked"`
	Sleeps      int64  `json:"sleeps"`
	TickBlocked int64  `json:"tick_recv_blocked"`
	LockBlocked int64  `json:"lock_blocked"`
	ElapsedNs   int64  `json:"elapsed_ns"`
}

var c counts

// A weighted semaphore: Acquire(n) waits until n units are free.
type semaphore struct {
	mu    sync.Mutex
	cond  *sync.Cond
	avail int
}

func newSemaphore(n int) *semaphore {
	s := &semaphore{avail: n}
	s.cond = sync.NewCond(&s.mu)
	return s
}

//go:noinline
func (s *semaphore) Acquire(n int) {
	s.mu.Lock()
	for s.avail < n {
		atomic.AddInt64(&c.CondWaits, 1)
		s.cond.Wait() // PARK-SITE-SEM
	}
	s.avail -= n
	s.mu.Unlock()
}

func (s *semaphore) Release(n int) {
	s.mu.Lock()
	s.avail += n
	s.mu.Unlock()
	s.cond.Broadcast()
}

// A token bucket: a ticker goroutine adds perTick tokens every tick.
type bucket struct {
	tokens  int64
	perTick int64
	max     int64
	stop    chan struct{}
}

func (b *bucket) refill(t *time.Ticker, done *sync.WaitGroup) {
	defer done.Done()
	for {
		select {
		case <-t.C:
		case <-b.stop:
			return
		default:
			atomic.AddInt64(&c.TickBlocked, 1)
			select {
			case <-t.C:
			case <-b.stop:
				return
			}
		}
		if v := atomic.AddInt64(&b.tokens, b.perTick); v > b.max {
			atomic.StoreInt64(&b.tokens, b.max)
		}
	}
}

func (b *bucket) take() bool {
	for {
		v := atomic.LoadInt64(&b.tokens)
		if v <= 0 {
			return false
		}
		if atomic.CompareAndSwapInt64(&b.tokens, v, v-1) {
			return true
		}
	}
}

//go:noinline
func producerChan(ch chan<- int, n int) {
	for i := 0; i < n; i++ {
		select {
		case ch <- i:
		default:
			atomic.AddInt64(&c.SendBlocked, 1)
			ch <- i // PARK-SITE-CHAN
		}
	}
}

//go:noinline
func consumerChan(ch <-chan int, spin int) {
	for {
		var v int
		var ok bool
		select {
		case v, ok = <-ch:
		default:
			atomic.AddInt64(&c.RecvBlocked, 1)
			v, ok = <-ch
		}
		if !ok {
			return
		}
		_ = v
		work(spin)
		atomic.AddInt64(&c.Items, 1)
	}
}

//go:noinline
func producerSem(s *semaphore, n, spin int, wg *sync.WaitGroup) {
	for i := 0; i < n; i++ {
		w := 1 + i%2 // weights 1 and 2
		s.Acquire(w)
		wg.Add(1)
		go func(w int) {
			work(spin * w)
			atomic.AddInt64(&c.Items, 1)
			s.Release(w)
			wg.Done()
		}(w)
	}
}

//go:noinline
func producerXSem(s *xsync.Weighted, n, spin int, wg *sync.WaitGroup) {
	ctx := context.Background()
	for i := 0; i < n; i++ {
		w := int64(1 + i%2)
		if !s.TryAcquire(w) {
			atomic.AddInt64(&c.XSemBlocked, 1)
			s.Acquire(ctx, w) // PARK-SITE-XSEM (parks in Acquire's select)
		}
		wg.Add(1)
		go func(w int64) {
			work(spin * int(w))
			atomic.AddInt64(&c.Items, 1)
			s.Release(w)
			wg.Done()
		}(w)
	}
}

//go:noinline
func producerTicker(b *bucket, tick time.Duration, n, spin int) {
	for i := 0; i < n; i++ {
		for !b.take() {
			atomic.AddInt64(&c.Sleeps, 1)
			time.Sleep(tick) // PARK-SITE-TICKER
		}
		work(spin)
		atomic.AddInt64(&c.Items, 1)
	}
}

//go:noinline
func producerMutex(mu *sync.Mutex, n, spin int) {
	for i := 0; i < n; i++ {
		if !mu.TryLock() {
			atomic.AddInt64(&c.LockBlocked, 1)
			mu.Lock() // PARK-SITE-MUTEX
		}
		work(spin)
		atomic.AddInt64(&c.Items, 1)
		mu.Unlock()
	}
}

func main() {
	design := flag.String("design", "chan", "chan, sem, xsem, ticker, mutex or pingpong")
	producers := flag.Int("producers", 4, "producer goroutines")
	consumers := flag.Int("consumers", 2, "consumers (chan); the semaphore holds 2 units per consumer (sem)")
	items := flag.Int("items", 5000, "items per producer")
	spin := flag.Int("spin", 20000, "work per item (loop iterations)")
	queue := flag.Int("queue", 16, "channel capacity (chan)")
	rate := flag.Int("rate", 20000, "tokens per second (ticker)")
	flag.Parse()

	c.Design = *design
	start := time.Now()
	var wg sync.WaitGroup
	switch *design {
	case "chan":
		ch := make(chan int, *queue)
		var cw sync.WaitGroup
		for i := 0; i < *consumers; i++ {
			cw.Add(1)
			go func() { consumerChan(ch, *spin); cw.Done() }()
		}
		for i := 0; i < *producers; i++ {
			wg.Add(1)
			go func() { producerChan(ch, *items); wg.Done() }()
		}
		wg.Wait()
		close(ch)
		cw.Wait()
	case "sem":
		s := newSemaphore(2 * *consumers) // weights are 1 or 2
		var pw sync.WaitGroup
		for i := 0; i < *producers; i++ {
			pw.Add(1)
			go func() { producerSem(s, *items, *spin, &wg); pw.Done() }()
		}
		pw.Wait()
		wg.Wait()
	case "xsem":
		s := xsync.NewWeighted(int64(2 * *consumers))
		var pw sync.WaitGroup
		for i := 0; i < *producers; i++ {
			pw.Add(1)
			go func() { producerXSem(s, *items, *spin, &wg); pw.Done() }()
		}
		pw.Wait()
		wg.Wait()
	case "ticker":
		const tick = time.Millisecond
		b := &bucket{perTick: int64(*rate) / 1000, max: int64(*rate) / 1000, stop: make(chan struct{})}
		if b.perTick < 1 {
			b.perTick, b.max = 1, 1
		}
		t := time.NewTicker(tick)
		var rw sync.WaitGroup
		rw.Add(1)
		go b.refill(t, &rw)
		for i := 0; i < *producers; i++ {
			wg.Add(1)
			go func() { producerTicker(b, tick, *items, *spin); wg.Done() }()
		}
		wg.Wait()
		close(b.stop)
		rw.Wait()
		t.Stop()
	case "mutex":
		var mu sync.Mutex
		for i := 0; i < *producers; i++ {
			wg.Add(1)
			go func() { producerMutex(&mu, *items, *spin); wg.Done() }()
		}
		wg.Wait()
	case "pingpong":
		runtime.GOMAXPROCS(1)
		ping, pong := make(chan int), make(chan int)
		go func() {
			for v := range ping {
				pong <- v
			}
			close(pong)
		}()
		for i := 0; i < *items; i++ {
			ping <- i
			<-pong
		}
		close(ping)
		c.Items = int64(*items)
	default:
		fmt.Fprintln(os.Stderr, "backpressure: -design chan, sem, xsem, ticker, mutex or pingpong")
		os.Exit(2)
	}
	c.ElapsedNs = time.Since(start).Nanoseconds()
	out, _ := json.Marshal(&c)
	fmt.Println(string(out))
}
