package helmoperation

import (
	"strings"
	"sync"
)

// logTailBytes is how much of the runner's log an operation's status keeps: enough for Helm's
// last messages, small enough for an object that is listed often.
const logTailBytes = 4096

// logTail is an io.Writer keeping the last logTailBytes written to it.
type logTail struct {
	mu  sync.Mutex
	buf []byte
}

func (l *logTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if over := len(l.buf) - logTailBytes; over > 0 {
		l.buf = append(l.buf[:0:0], l.buf[over:]...)
	}
	return len(p), nil
}

func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.ToValidUTF8(string(l.buf), "")
}
