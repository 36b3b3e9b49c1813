package storetest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/trennwand/trennwand/mdm/store"
)

// CommitCutter stands between the store and a PostgreSQL server and loses the connection
// around the next COMMIT it is told to, the way a primary that dies in the middle of a
// commit leaves its clients: either the COMMIT never reached the server, or the server
// committed and its answer never came back. Every other message passes unchanged.
type CommitCutter struct {
	target string
	ln     net.Listener
	mu     sync.Mutex
	next   cut
}

// cut is what happens to the next COMMIT.
type cut int

const (
	passCommit cut = iota
	loseCommit     // the connection ends before the COMMIT reaches the server
	loseAnswer     // the server commits; the connection ends before its answer arrives
)

// startupCode opens the startup message of protocol version 3.0.
const startupCode = 196608

// OpenBehindCutter returns a migrated store on a fresh PostgreSQL database that it
// reaches through a cutter, and the cutter; both end with the test.
func OpenBehindCutter(t testing.TB) (*store.Store, *CommitCutter) {
	t.Helper()
	u, err := url.Parse(NewDSN(t, Postgres))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &CommitCutter{target: u.Host, ln: ln}
	t.Cleanup(func() { _ = ln.Close() })
	go c.serve()
	u.Host = ln.Addr().String()
	return openSetting(t, Postgres, u.String()), c
}

// LoseNextCommit makes the next COMMIT never reach the server: the transaction is rolled
// back, and its client cannot know.
func (c *CommitCutter) LoseNextCommit() { c.arm(loseCommit) }

// LoseNextAnswer lets the next COMMIT reach the server but not its answer the client: the
// transaction is committed, and its client cannot know.
func (c *CommitCutter) LoseNextAnswer() { c.arm(loseAnswer) }

func (c *CommitCutter) arm(how cut) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = how
}

// take returns what to do with a COMMIT now and disarms the cutter.
func (c *CommitCutter) take() cut {
	c.mu.Lock()
	defer c.mu.Unlock()
	how := c.next
	c.next = passCommit
	return how
}

func (c *CommitCutter) serve() {
	for {
		client, err := c.ln.Accept()
		if err != nil {
			return
		}
		go c.relay(client)
	}
}

// relay passes one connection's messages on, cutting it around a COMMIT when armed.
func (c *CommitCutter) relay(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", c.target)
	if err != nil {
		return
	}
	defer server.Close()
	var answerLost atomic.Bool
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := server.Read(buf)
			if n > 0 && answerLost.Load() {
				_ = client.Close()
				return
			}
			if n > 0 {
				if _, werr := client.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				_ = client.Close()
				return
			}
		}
	}()
	// The startup message has no type byte; an SSL or GSS request before it neither.
	for {
		msg, err := readMessage(client, false)
		if err != nil || write(server, msg) != nil {
			return
		}
		if len(msg) >= 8 && binary.BigEndian.Uint32(msg[4:8]) == startupCode {
			break
		}
	}
	for {
		msg, err := readMessage(client, true)
		if err != nil {
			return
		}
		if msg[0] == 'Q' && bytes.EqualFold(bytes.TrimRight(msg[5:], "\x00; "), []byte("commit")) {
			switch c.take() {
			case loseCommit:
				return
			case loseAnswer:
				answerLost.Store(true)
			}
		}
		if write(server, msg) != nil {
			return
		}
	}
}

// readMessage reads one message of the frontend protocol, with its type byte if typed.
func readMessage(r io.Reader, typed bool) ([]byte, error) {
	head := 4
	if typed {
		head = 5
	}
	msg := make([]byte, head)
	if _, err := io.ReadFull(r, msg); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint32(msg[head-4:]))
	if n < 4 || n > 1<<30 {
		return nil, errors.New("malformed message length")
	}
	msg = append(msg, make([]byte, n-4)...)
	_, err := io.ReadFull(r, msg[head:])
	return msg, err
}

func write(w io.Writer, msg []byte) error {
	_, err := w.Write(msg)
	return err
}
